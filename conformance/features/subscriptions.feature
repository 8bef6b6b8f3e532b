@subscriptions
Feature: Subscribe, unsubscribe and auto-unsubscribe
  A SUB registers a pattern under a client-chosen sid; UNSUB with max 0 ends
  it at once, and UNSUB with max N ends it after N more messages.

  @spec-6.4
  Scenario: sid 0 is refused
    Given client "alice" is connected
    When "alice" tries to subscribe to "/s" as sid 0
    Then "alice" gets the error "invalid_subscription" about SUB
    And "alice" is still connected

  @spec-6.4
  Scenario: the sid of a live subscription cannot be used again, but may be once it has ended
    Given clients "alice" and "bob" are connected
    And "alice" subscribes to "/first" as sid 1
    When "alice" tries to subscribe to "/second" as sid 1
    Then "alice" gets the error "invalid_subscription" about SUB sid 1
    When "bob" publishes "one" to "/first"
    And "bob" publishes "two" to "/second"
    Then "alice" receives "one" on "/first" as sid 1 with seq 1
    And "alice" receives nothing more
    When "alice" unsubscribes sid 1
    And "alice" subscribes to "/second" as sid 1
    And "bob" publishes "three" to "/second"
    Then "alice" receives "three" on "/second" as sid 1 with seq 1

  @spec-6.8 @spec-6.9
  Scenario: UNSUB with max 0 ends a subscription at once
    Given clients "alice" and "bob" are connected
    And "alice" subscribes to "/u" as sid 1
    And "alice" subscribes to "/u" as sid 2
    When "alice" unsubscribes sid 1
    And "bob" publishes "after" to "/u"
    Then "alice" receives "after" on "/u" as sid 2 with seq 1
    And "alice" receives nothing more
    When "alice" tries to unsubscribe sid 1
    Then "alice" gets the error "unknown_sid" about UNSUB sid 1

  @spec-6.8 @spec-6.9
  Scenario: UNSUB with max N ends the subscription once its seq reaches N
    Given clients "alice" and "bob" are connected
    And "alice" subscribes to "/auto" as sid 1
    And "bob" publishes "m1" to "/auto"
    When "alice" unsubscribes sid 1 once its seq reaches 3
    And "bob" publishes "m2", "m3", "m4" and "m5" to "/auto"
    Then "alice" receives on sid 1:
      | seq | channel | payload |
      | 1   | /auto   | m1      |
      | 2   | /auto   | m2      |
      | 3   | /auto   | m3      |
    And "alice" receives nothing more
    When "alice" tries to unsubscribe sid 1
    Then "alice" gets the error "unknown_sid" about UNSUB sid 1

  @spec-6.8 @spec-6.9
  Scenario: UNSUB with a max its seq has already reached ends the subscription at once
    Given clients "alice" and "bob" are connected
    And "alice" subscribes to "/auto" as sid 1
    And "bob" publishes "m1" and "m2" to "/auto"
    When "alice" unsubscribes sid 1 once its seq reaches 1
    And "bob" publishes "m3" to "/auto"
    Then "alice" receives "m1" on "/auto" as sid 1 with seq 1
    And "alice" receives "m2" on "/auto" as sid 1 with seq 2
    And "alice" receives nothing more
    When "alice" tries to unsubscribe sid 1
    Then "alice" gets the error "unknown_sid" about UNSUB sid 1

  @spec-6.8 @rotation
  Scenario: a rotation member that auto-unsubscribes leaves the set after its last message
    Given clients "a", "b" and "pub" are connected
    And "a" subscribes to "/queue/auto" as sid 1
    And "b" subscribes to "/queue/auto" as sid 1
    When "a" unsubscribes sid 1 once its seq reaches 1
    And "pub" publishes "m1", "m2", "m3" and "m4" to "/queue/auto"
    Then "a" receives "m1" on "/queue/auto" as sid 1 with seq 1
    And "b" receives on sid 1:
      | seq | channel     | payload |
      | 1   | /queue/auto | m2      |
      | 2   | /queue/auto | m3      |
      | 3   | /queue/auto | m4      |
    And "a" receives nothing more

  @spec-6.9 @spec-10.1
  Scenario Outline: <op> of a sid with no live subscription is answered with unknown_sid
    Given client "alice" is connected
    When "alice" sends the frame of vector "<vector>"
    Then "alice" gets the error "unknown_sid" about <op> sid <sid>
    And "alice" is still connected

    Examples:
      | op    | vector            | sid |
      | UNSUB | unsub-unknown-sid | 42  |
      | ACK   | ack-unknown-sid   | 43  |

  @spec-6.4 @spec-6.5 @spec-5.4
  Scenario Outline: the spec's vector of a refused SUB: <vector>
    Given client "alice" is connected
    When "alice" sends the frame of vector "<vector>"
    Then "alice" gets the error "invalid_subscription" as vector "<vector>" says
    And "alice" is still connected

    Examples:
      | vector                     |
      | sub-sid-zero               |
      | sub-sid-too-large          |
      | sub-prefetch-without-queue |
      | sub-queue-empty            |
      | sub-queue-too-long         |
      | sub-queue-space            |
