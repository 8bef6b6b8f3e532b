@cleanup
Feature: Disconnect cleanup
  When a connection ends, its subscriptions end with it: nothing more is
  routed to it, and rotation goes on with the remaining members.

  @spec-7.1 @spec-7.3
  Scenario: a subscriber that disconnects takes its subscriptions with it
    Given clients "alice", "bob" and "pub" are connected
    And "alice" subscribes to "/gone" as sid 1
    And "bob" subscribes to "/gone" as sid 1
    When "alice" disconnects
    And "pub" publishes "m1", "m2" and "m3" to "/gone"
    Then "bob" receives on sid 1:
      | seq | channel | payload |
      | 1   | /gone   | m1      |
      | 2   | /gone   | m2      |
      | 3   | /gone   | m3      |
    And "pub" is still connected

  @spec-7.4 @spec-7.5
  Scenario: rotation continues with the remaining members when one disconnects
    Given clients "a", "b", "c" and "pub" are connected
    And "a" subscribes to "/queue/c" as sid 1
    And "b" subscribes to "/queue/c" as sid 1
    And "c" subscribes to "/queue/c" as sid 1
    When "c" disconnects
    And "pub" publishes probes to "/queue/c" until "a" and "b" receive them in turn
    And "pub" publishes "f1", "f2", "f3", "f4", "f5" and "f6" to "/queue/c"
    Then "a" and "b" receive "f1", "f2", "f3", "f4", "f5" and "f6" between them, in turn, none lost

  @reoffer @spec-7.8 @spec-6.8
  Scenario: frames held for a member that leaves are offered to the rest of the set
    Given clients "a", "b" and "pub" are connected
    And "a" subscribes to "/queue/held" as sid 1
    And "b" subscribes to "/queue/held" as sid 1
    And "a" stops reading
    When "pub" publishes a burst of numbered messages to "/queue/held", more than "a" can hold, while "b" keeps up
    And "a" unsubscribes sid 1 and reads again
    Then every message of the burst reaches exactly one of "a" and "b", or is charged to "b" with a NOTICE, and each sees an unbroken seq
