@framing
Feature: Framing and protocol errors
  Every frame is a 4-byte big-endian length and a MessagePack array. A frame
  the server cannot decode, or may not accept, ends the connection with an
  ERR; an op the server does not know is answered and otherwise ignored.

  @spec-2.2 @spec-2.4 @spec-2.6 @spec-10.2
  Scenario Outline: an undecodable frame ends the connection: <vector>
    Given client "alice" is connected
    When "alice" sends the frame of vector "<vector>"
    Then "alice" gets the error "bad_frame"
    And "alice" is disconnected

    Examples:
      | vector                    | what is wrong                           |
      | zero-length               | the length is zero                      |
      | not-msgpack               | the body is not MessagePack             |
      | not-an-array              | the body is a string, not an array      |
      | empty-array               | the array is empty                      |
      | op-not-an-integer         | the op is a string                      |
      | op-negative               | the op is negative                      |
      | bytes-after-array         | bytes follow the array                  |
      | pub-missing-field         | a PUB lacks its payload                 |
      | pub-payload-is-str        | a PUB payload is a str, not a bin       |
      | pub-channel-is-bin        | a PUB channel is a bin, not a str       |
      | pub-headers-not-a-map     | PUB headers are an array                |
      | pub-header-value-not-str  | a PUB header value is an integer        |
      | sub-sid-negative          | a SUB sid is negative                   |
      | sub-sid-is-str            | a SUB sid is a str                      |
      | truncated-array           | the array ends early                    |
      | huge-array-header         | the array claims 4 billion elements     |
      | str-longer-than-frame     | a str claims more bytes than the frame  |
      | deeply-nested-extra-field | an extra field nests arrays too deeply  |
      | ping-with-fields-wrong-type | a PING carries an invalid byte        |

  @spec-2.3
  Scenario: a frame longer than max_frame is refused before its body is sent
    Given client "alice" is connected
    When "alice" sends only the length prefix of a frame one byte longer than max_frame
    Then "alice" gets the error "frame_too_large"
    And "alice" is disconnected

  @spec-2.3
  Scenario: a frame length the codec forbids outright is refused: oversize-after-hello
    Given client "alice" is connected
    When "alice" sends the frame of vector "oversize-after-hello"
    Then "alice" gets the error "frame_too_large"
    And "alice" is disconnected

  @spec-3.1 @spec-2.5
  Scenario Outline: an unknown op is answered and the connection stays open: <vector>
    Given client "alice" is connected
    When "alice" sends the frame of vector "<vector>"
    Then "alice" gets the error "unknown_op" about op <op>
    And "alice" is still connected

    Examples:
      | vector                 | op |
      | unknown-op             | 99 |
      | unknown-op-with-fields | 42 |

  @spec-3.2 @spec-10.2
  Scenario Outline: a client may not send <op>, which only servers send
    Given client "alice" is connected
    When "alice" sends a <op> frame
    Then "alice" gets the error "protocol_violation"
    And "alice" is disconnected

    Examples:
      | op      |
      | WELCOME |
      | MSG     |
      | ERR     |
      | NOTICE  |

  @spec-3.2
  Scenario Outline: the spec's vector of a server-only op from a client: <vector>
    Given client "alice" is connected
    When "alice" sends the frame of vector "<vector>"
    Then "alice" gets the error "protocol_violation"
    And "alice" is disconnected

    Examples:
      | vector              |
      | msg-from-client     |
      | welcome-from-client |

  @spec-10.2 @spec-2.2
  Scenario: after a fatal error the server acts on nothing more from the connection
    Given clients "alice" and "bob" are connected
    And "bob" subscribes to "/after" as sid 1
    When "alice" sends a zero-length frame and then a publication of "too late" to "/after"
    Then "alice" gets the error "bad_frame"
    And "alice" is disconnected
    When "bob" publishes "marker" to "/after"
    Then "bob" receives "marker" on "/after" as sid 1 with seq 1

  @spec-2.5
  Scenario: fields after those this version defines are ignored
    Given client "alice" is connected
    When "alice" subscribes to "/extra" as sid 1, with one extra trailing field
    And "alice" publishes "x" to "/extra", with one extra trailing field
    Then "alice" receives "x" on "/extra" as sid 1 with seq 1

  @spec-2.6
  Scenario Outline: integers written as <encoding> are accepted
    Given client "alice" is connected
    When "alice" subscribes to "/ints" as sid 100, with the sid written as <encoding>
    And "alice" publishes "x" to "/ints"
    Then "alice" receives "x" on "/ints" as sid 100 with seq 1

    Examples:
      | encoding        |
      | positive fixint |
      | uint 8          |
      | uint 16         |
      | uint 32         |
      | uint 64         |
      | int 8           |
      | int 16          |
      | int 32          |
      | int 64          |

  @spec-2.6
  Scenario Outline: a channel written as <str> and a payload written as <bin> are accepted
    Given client "alice" is connected
    And "alice" subscribes to "/strings" as sid 1
    When "alice" publishes "x" to "/strings", with the channel written as <str> and the payload as <bin>
    Then "alice" receives "x" on "/strings" as sid 1 with seq 1

    Examples:
      | str    | bin    |
      | fixstr | bin 8  |
      | str 8  | bin 16 |
      | str 16 | bin 32 |
      | str 32 | bin 8  |
