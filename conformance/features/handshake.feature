@handshake
Feature: Handshake and capabilities
  A client opens a session with HELLO; the server answers with WELCOME, which
  announces the limits and the optional features (capabilities) that the rest
  of this suite relies on. Nothing but HELLO may come first.

  @spec-4.4 @spec-4.7 @spec-2.1
  Scenario: WELCOME answers HELLO and announces consistent limits
    Given client "alice" is connected
    Then the WELCOME "alice" received announces protocol version 1 and consistent limits

  @spec-4.5 @spec-4.4 @spec-6.7
  Scenario: frames sent right after HELLO are processed once the handshake succeeds
    Given a connection "alice" that has not sent HELLO
    When "alice" sends HELLO, a subscription to "/early" as sid 1, a publication of "hi" to "/early" and a PING in one write
    Then "alice" receives WELCOME first
    And "alice" receives "hi" on "/early" as sid 1 with seq 1
    And "alice" is still connected

  @spec-4.2 @spec-2.6
  Scenario: options a server does not know are ignored and the others take their defaults
    Given a connection "alice" that has not sent HELLO
    When "alice" sends HELLO with only the option "compress" set to "zstd", as in vector "hello-defaults-and-unknown-option"
    Then "alice" receives WELCOME first
    When "alice" subscribes to "/own" as sid 1
    And "alice" publishes "mine" to "/own"
    Then "alice" receives "mine" on "/own" as sid 1 with seq 1

  @spec-4.2 @spec-7.9
  Scenario: with echo off a client does not receive what it publishes itself
    Given client "alice" is connected with echo off
    And client "bob" is connected
    And "alice" subscribes to "/chat" as sid 1
    And "bob" subscribes to "/chat" as sid 1
    When "alice" publishes "from alice" to "/chat"
    And "bob" publishes "from bob" to "/chat"
    Then "bob" receives on sid 1:
      | seq | channel | payload    |
      | 1   | /chat   | from alice |
      | 2   | /chat   | from bob   |
    And "alice" receives "from bob" on "/chat" as sid 1 with seq 1
    And "alice" receives nothing more

  @spec-4.2
  Scenario: with headers off a client receives every message without headers
    Given client "alice" is connected with headers off
    And client "bob" is connected
    And "alice" subscribes to "/plain" as sid 1
    When "bob" publishes "hello" to "/plain" with headers:
      | name  | value |
      | trace | abc   |
    Then "alice" receives "hello" on "/plain" as sid 1 with seq 1 and no headers

  @spec-4.5 @spec-10.2
  Scenario: a second HELLO is a protocol violation
    Given client "alice" is connected
    When "alice" sends HELLO again, as in vector "second-hello"
    Then "alice" gets the error "protocol_violation"
    And "alice" is disconnected

  @spec-4.3
  Scenario Outline: HELLO with version <version> is refused with the list of versions the server speaks
    Given a connection "alice" that has not sent HELLO
    When "alice" sends HELLO with version <version>
    Then "alice" gets the error "unsupported_version" naming version 1 among the supported versions
    And "alice" is disconnected

    Examples:
      | version |
      | 0       |
      | 2       |
      | 99      |

  @before-hello @spec-4.1 @spec-10.2
  Scenario: a PUB before HELLO is refused and never routed
    Given client "bob" is connected
    And "bob" subscribes to "/early" as sid 1
    And a connection "mallory" that has not sent HELLO
    When "mallory" sends a publication of "sneaky" to "/early" before HELLO
    Then "mallory" gets the error "protocol_violation"
    And "mallory" is disconnected
    When "bob" publishes "honest" to "/early"
    Then "bob" receives "honest" on "/early" as sid 1 with seq 1

  @before-hello @spec-4.1
  Scenario: a PING before HELLO is refused without a PONG
    Given a connection "mallory" that has not sent HELLO
    When "mallory" sends a PING before HELLO
    Then "mallory" gets the error "protocol_violation"
    And "mallory" is disconnected without having received a PONG

  @before-hello @spec-4.1 @spec-2.3
  Scenario Outline: a frame the server must refuse before HELLO: <vector>
    Given a connection "mallory" that has not sent HELLO
    When "mallory" sends the frame of vector "<vector>"
    Then "mallory" gets the error "<error>"
    And "mallory" is disconnected

    Examples:
      | vector                   | error                |
      | zero-length-before-hello | bad_frame            |
      | oversize-before-hello    | frame_too_large      |
      | pub-before-hello         | protocol_violation   |
      | ping-before-hello        | protocol_violation   |
      | unsupported-version      | unsupported_version  |
      | version-zero             | unsupported_version  |

  @auth @spec-4.6
  Scenario: credentials the server cannot know are refused
    Given a connection "mallory" that has not sent HELLO
    When "mallory" sends HELLO as a user the server cannot know
    Then "mallory" gets the error "auth_failed"
    And "mallory" is disconnected
