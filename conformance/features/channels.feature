@channels
Feature: Channels, patterns and queue group names
  A channel is "/"-separated segments of printable ASCII without wildcards,
  2 to 256 bytes long; a pattern may also use "*" for one segment and ">" as
  its last segment; a queue group name is 1 to 64 printable ASCII bytes. Each
  invalid name gets an error that names what was refused, and the connection
  stays open.

  In the tables, <empty> stands for the empty string, <TAB> for a tab, <DEL>
  for byte 0x7F, <0x01> for byte 0x01, and <a×256> for 256 letters "a".

  @spec-5.1 @spec-5.4 @spec-10.1
  Scenario Outline: a PUB to an invalid channel is refused: <why>
    Given client "alice" is connected
    When "alice" tries to publish "x" to "<channel>"
    Then "alice" gets the error "invalid_channel" about PUB on "<channel>"
    And "alice" is still connected

    Examples:
      | channel         | why                                  |
      | <empty>         | the channel is empty                 |
      | /               | a lone slash has an empty segment    |
      | topic/foo       | there is no leading slash            |
      | /a//b           | a segment is empty                   |
      | /a/             | a trailing slash ends an empty segment |
      | /a b            | a space is not printable ASCII       |
      | /a<TAB>b        | a tab is a control byte              |
      | /a<DEL>         | DEL is not printable ASCII           |
      | /a<0x01>b       | 0x01 is a control byte               |
      | /café           | UTF-8 beyond ASCII                   |
      | /a/*            | a channel has no wildcard "*"        |
      | /a/>            | a channel has no wildcard ">"        |
      | /a*b            | "*" inside a segment                 |
      | /<a×256>        | 257 bytes is too long                |

  @spec-5.4
  Scenario Outline: a PUB with an invalid reply-to is refused: <why>
    Given client "alice" is connected
    When "alice" tries to publish "x" to "/svc" with reply-to "<reply-to>"
    Then "alice" gets the error "invalid_channel" about PUB on "<reply-to>"
    And "alice" is still connected

    Examples:
      | reply-to   | why                              |
      | <empty>    | the reply-to is empty            |
      | inbox/1    | there is no leading slash        |
      | /inbox//1  | a segment is empty               |
      | /inbox/    | a trailing slash                 |
      | /inbox/*   | a reply-to has no wildcard "*"   |
      | /inbox/>   | a reply-to has no wildcard ">"   |
      | /in box    | a space is not printable ASCII   |
      | /<a×256>   | 257 bytes is too long            |

  @spec-5.2 @spec-5.4
  Scenario Outline: a SUB with an invalid pattern is refused: <why>
    Given client "alice" is connected
    When "alice" tries to subscribe to "<pattern>" as sid 7
    Then "alice" gets the error "invalid_channel" about SUB sid 7 on "<pattern>"
    And "alice" is still connected

    Examples:
      | pattern  | why                                 |
      | <empty>  | the pattern is empty                |
      | /        | a lone slash has an empty segment   |
      | orders/* | there is no leading slash           |
      | /a//*    | a segment is empty                  |
      | /a/*/    | a trailing slash                    |
      | /a/>/b   | ">" is not the last segment         |
      | /a*      | "*" inside a segment                |
      | /a/b>    | ">" inside a segment                |
      | /a /b    | a space is not printable ASCII      |
      | /<b×256> | 257 bytes is too long               |

  @spec-5.4 @spec-5.5
  Scenario Outline: a SUB with an invalid queue group name is refused: <why>
    Given client "alice" is connected
    When "alice" tries to subscribe to "/jobs" in queue group "<group>" as sid 8
    Then "alice" gets the error "invalid_subscription" about SUB sid 8
    And "alice" is still connected

    Examples:
      | group      | why                            |
      | <empty>    | the name is empty              |
      | <q×65>     | 65 bytes is too long           |
      | my workers | a space is not printable ASCII |
      | café       | UTF-8 beyond ASCII             |

  @spec-5.4 @spec-5.1 @spec-5.2 @spec-10.1
  Scenario Outline: the spec's vector of an invalid name is refused as it says: <vector>
    Given client "alice" is connected
    When "alice" sends the frame of vector "<vector>"
    Then "alice" gets the error "<error>" as vector "<vector>" says
    And "alice" is still connected

    Examples:
      | vector                         | error           |
      | pub-channel-no-leading-slash   | invalid_channel |
      | pub-channel-slash-only         | invalid_channel |
      | pub-channel-empty-segment      | invalid_channel |
      | pub-channel-trailing-slash     | invalid_channel |
      | pub-channel-space              | invalid_channel |
      | pub-channel-star               | invalid_channel |
      | pub-channel-gt                 | invalid_channel |
      | pub-channel-star-in-segment    | invalid_channel |
      | pub-channel-too-long           | invalid_channel |
      | pub-channel-empty              | invalid_channel |
      | pub-channel-control-byte       | invalid_channel |
      | pub-channel-utf8               | invalid_channel |
      | pub-reply-to-wildcard          | invalid_channel |
      | pub-reply-to-empty-segment     | invalid_channel |
      | sub-pattern-no-leading-slash   | invalid_channel |
      | sub-pattern-slash-only         | invalid_channel |
      | sub-pattern-empty-segment      | invalid_channel |
      | sub-pattern-trailing-slash     | invalid_channel |
      | sub-pattern-gt-not-last        | invalid_channel |
      | sub-pattern-star-inside-segment| invalid_channel |
      | sub-pattern-gt-inside-segment  | invalid_channel |
      | sub-pattern-space              | invalid_channel |
      | sub-pattern-too-long           | invalid_channel |

  @spec-5.1 @spec-7.1
  Scenario: the longest valid channel, 256 bytes, is delivered
    Given clients "alice" and "bob" are connected
    And "alice" subscribes to "/<z×255>" as sid 1
    When "bob" publishes "long" to "/<z×255>"
    Then "alice" receives "long" on "/<z×255>" as sid 1 with seq 1

  @spec-5.1 @spec-5.2 @spec-7.1
  Scenario: printable punctuation is part of a segment
    Given clients "alice" and "bob" are connected
    And "alice" subscribes to "/Mixed.Case-and_punct!~/*" as sid 1
    When "bob" publishes "ok" to "/Mixed.Case-and_punct!~/x"
    Then "alice" receives "ok" on "/Mixed.Case-and_punct!~/x" as sid 1 with seq 1

  @spec-5.3
  Scenario: channels are compared byte for byte, so case matters
    Given clients "alice" and "bob" are connected
    And "alice" subscribes to "/orders" as sid 1
    When "bob" publishes "upper" to "/Orders"
    And "bob" publishes "lower" to "/orders"
    Then "alice" receives "lower" on "/orders" as sid 1 with seq 1
