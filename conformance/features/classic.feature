@classic
Feature: The classic compatibility profile
  Clients of the original length-prefixed broker connect, unchanged, to the
  server's classic port (the runner's --classic-addr): every frame is a
  4-byte length plus raw bytes; a client's first frame names the channel it
  subscribes to; after that it sends (destination, data) frame pairs; a
  subscriber receives each message as one bare data frame. Classic and Herald
  clients share routing. Scenarios tagged @cross-protocol use Herald clients
  too, and need --addr as well.

  A classic client cannot tell when its subscription is in effect, so the
  suite checks: a helper sends probes (data starting with a 0x00 byte, which
  the suite's classic clients ignore) to the channel until the new listener
  receives one, then ends its session with an empty destination frame, which
  the server closes only after routing every probe (14.8). Ending a session
  is the suite's barrier for classic clients, as PING is for Herald ones:
  "receives nothing more before its session ends" ends it and checks what
  arrives before the close.

  @spec-14.2 @spec-14.3 @spec-14.4 @spec-14.9
  Scenario: every classic listener of a channel gets every message of a classic sender, in order, as bare data
    Given classic clients "l1", "l2" and "l3" listen on "/news"
    And a classic client "s" connects with the first frame "/null"
    When classic client "s" sends 100 numbered messages to "/news"
    Then classic clients "l1", "l2" and "l3" each receive the 100 numbered messages in order
    And classic client "l1" receives nothing more before its session ends

  @spec-14.3 @spec-14.4
  Scenario: an empty data frame is a message with empty data
    Given a classic client "l" listens on "/empty"
    And a classic client "s" connects with the first frame "<empty>"
    When classic client "s" sends "<empty>", "x" and "<empty>" to "/empty"
    Then classic client "l" receives "<empty>", "x" and "<empty>"

  @spec-14.4
  Scenario: a classic client subscribed to the channel it sends to receives its own message
    Given a classic client "c" listens on "/chat"
    When classic client "c" sends "hello me" to "/chat"
    Then classic client "c" receives "hello me"

  @spec-14.4 @spec-7.4 @spec-7.5
  Scenario: classic listeners on a /queue channel take its messages in strict rotation, in the order they joined
    Given classic clients "a", "b" and "c" listen on "/queue/jobs"
    And a classic client "s" connects with the first frame "<empty>"
    When classic client "s" sends 30 numbered messages to "/queue/jobs"
    Then the 30 numbered messages reach "a", "b" and "c" in strict rotation, 10 each

  @spec-14.2
  Scenario Outline: a first frame that is not a channel makes a send-only client that stays connected: <first>
    Given a classic client "l" listens on "/in/x"
    And a classic client "s" connects with the first frame "<first>"
    When classic client "s" sends "from s" to "/in/x"
    Then classic client "l" receives "from s"
    And classic client "s" receives nothing more before its session ends

    Examples:
      | first       |
      | <empty>     |
      | in/x        |
      | /in/*       |
      | /in/>       |
      | />          |
      | /in//x      |
      | /in/x/      |
      | /in/<0x20>x |
      | /<a×300>    |

  @spec-14.2
  Scenario: /null is an ordinary channel
    Given a classic client "l" listens on the literal channel "/null"
    And a classic client "s" connects with the first frame "<empty>"
    When classic client "s" sends "into the void" to the literal channel "/null"
    Then classic client "l" receives "into the void" sent to the literal channel

  @spec-14.7
  Scenario Outline: a pair whose destination is not a channel is dropped, and the connection stays open: <destination>
    Given a classic client "l" listens on "/ok"
    And a classic client "s" connects with the first frame "<empty>"
    When classic client "s" sends "dropped" to "<destination>"
    And classic client "s" sends "after" to "/ok"
    Then classic client "l" receives "after"
    And classic client "s" ends its session and is disconnected

    Examples:
      | destination |
      | ok          |
      | /ok/*       |
      | /ok/>       |
      | /ok//x      |
      | /ok/        |
      | /o<0x20>k   |
      | /ok<DEL>    |
      | /<a×300>    |

  @spec-14.8
  Scenario: an empty destination frame ends the session; nothing after it is routed
    Given a classic client "l" listens on "/s"
    And a classic client "s" connects with the first frame "<empty>"
    When classic client "s" sends "before" to "/s", an empty destination frame and "after" to "/s" in one write
    Then classic client "s" is disconnected
    And classic client "l" receives "before"
    And classic client "l" receives nothing more before its session ends

  @spec-14.8
  Scenario: a classic listener that ends its session first gets what was queued for it
    Given a classic client "l" listens on "/mine"
    And a classic client "s" connects with the first frame "<empty>"
    When classic client "s" sends "a", "b" and "c" to "/mine"
    And classic client "s" ends its session and is disconnected
    Then classic client "l" ends its session, receives "a", "b" and "c" and is disconnected

  @spec-14.6
  Scenario: an oversize first frame closes that client only
    Given a classic client "l" listens on "/shared"
    And a classic client "s" connects with the first frame "<empty>"
    When a classic client "bad" connects and sends the length prefix of a 4294967295-byte frame
    Then classic client "bad" is disconnected
    And classic client "s" sends "still served" to "/shared"
    And classic client "l" receives "still served"

  @spec-14.6
  Scenario: an oversize destination frame closes that client only
    Given a classic client "l" listens on "/shared"
    And a classic client "s" connects with the first frame "<empty>"
    And a classic client "bad" connects with the first frame "/shared"
    When classic client "bad" sends the length prefix of a 4294967295-byte frame
    Then classic client "bad" is disconnected
    And classic client "s" sends "still served" to "/shared"
    And classic client "l" receives "still served"

  @spec-14.6
  Scenario: an oversize data frame closes that client only
    Given a classic client "l" listens on "/shared"
    And a classic client "s" connects with the first frame "<empty>"
    And a classic client "bad" connects with the first frame "<empty>"
    When classic client "bad" sends a destination frame for "/shared" and the length prefix of a 4294967295-byte frame
    Then classic client "bad" is disconnected
    And classic client "s" sends "still served" to "/shared"
    And classic client "l" receives "still served"

  @spec-14.6
  Scenario: a connection that ends in the middle of a frame affects no one else
    Given a classic client "l" listens on "/shared"
    And a classic client "s" connects with the first frame "<empty>"
    And a classic client "bad" connects with the first frame "<empty>"
    When classic client "bad" sends a destination frame for "/shared", the first 10 bytes of a 100-byte data frame, and closes its connection
    And classic client "s" sends "still served" to "/shared"
    Then classic client "l" receives "still served"

  @classic-isolation @spec-14.5 @spec-14.11 @spec-13.1
  Scenario: a classic listener that never reads slows no one, and loses only whole messages
    Given the classic isolation volume is the larger of 32 MiB and 4 times max_pending_bytes
    When 10 classic readers receive that volume sent to "/iso/classic" by a classic sender, with no stalled listener
    And 10 classic readers receive that volume sent to "/iso/classic" by a classic sender, beside classic client "stalled" that never reads
    Then the run beside the stalled classic listener took at most 3 times as long as the run without it
    And classic client "stalled", reading again, receives whole messages of the run in order, then a later message or the end of its connection

  @cross-protocol @spec-14.3
  Scenario: a classic sender reaches Herald subscribers, wildcards included, as ordinary messages
    Given client "h" is connected
    And "h" subscribes to "/orders/>" as sid 1
    And "h" subscribes to "/orders/*/new" as sid 2
    And a classic client "s" connects with the first frame "<empty>"
    When classic client "s" sends "order 42" and "<empty>" to "/orders/eu/new"
    And classic client "s" ends its session and is disconnected
    Then "h" receives "order 42" on "/orders/eu/new" as sid 1 with seq 1 and no headers
    And "h" receives "" on "/orders/eu/new" as sid 1 with seq 2 and no headers
    And "h" receives "order 42" on "/orders/eu/new" as sid 2 with seq 1 and no headers
    And "h" receives "" on "/orders/eu/new" as sid 2 with seq 2 and no headers
    And "h" receives nothing more

  @cross-protocol @spec-14.4
  Scenario: a Herald publisher reaches a classic listener with the data alone
    Given a classic client "l" listens on "/news/herald"
    And client "pub" is connected
    When "pub" publishes "with a reply-to" to "/news/herald" with reply-to "/replies"
    And "pub" publishes "" to "/news/herald"
    And "pub" publishes "last" to "/news/herald"
    Then classic client "l" receives "with a reply-to", "<empty>" and "last"
    And classic client "l" receives nothing more before its session ends

  @cross-protocol @spec-14.4
  Scenario: a classic listener gets a Herald message's data without its headers
    Given a classic client "l" listens on "/news/headers"
    And client "pub" is connected
    When "pub" publishes "with headers" to "/news/headers" with headers:
      | name | value |
      | k    | v     |
    Then classic client "l" receives "with headers"

  @cross-protocol @spec-14.4 @spec-7.4 @spec-7.5
  Scenario: classic and Herald members of one rotation set take turns, whichever protocol publishes
    Given classic clients "a" and "b" listen on "/queue/mixed"
    And clients "h1", "h2" and "pub" are connected
    And "h1" subscribes to "/queue/mixed" as sid 1
    And "h2" subscribes to "/queue/mixed" as sid 1
    And a classic client "s" connects with the first frame "<empty>"
    When "pub" publishes 20 numbered messages to "/queue/mixed"
    And classic client "s" sends 20 numbered messages to "/queue/mixed", numbered from 21
    Then the 40 numbered messages reach "a", "b", "h1" and "h2" in strict rotation, 10 each

  @cross-protocol @spec-14.7
  Scenario: a pair whose data is over max_payload is dropped, and the connection stays open
    Given a classic client "l" listens on "/big"
    And a classic client "s" connects with the first frame "<empty>"
    When classic client "s" sends data of max_payload + 1 bytes to "/big"
    And classic client "s" sends "after" to "/big"
    Then classic client "l" receives "after"
    And classic client "s" ends its session and is disconnected

  @cross-protocol @classic-auth @spec-14.10
  Scenario: a server that requires credentials does not serve the classic profile
    Then a classic client can neither subscribe nor be served on the classic address
