@queue
Feature: Queue rotation
  Subscriptions in one rotation set share messages: each message goes to one
  member. A SUB with a queue group joins the set (group, pattern); a SUB
  without a group whose pattern starts with the bytes "/queue" joins the set
  ("", pattern). Members are served in the order they joined, starting at the
  member whose turn it is (the cursor), which then moves to the member after
  the one that received.

  To make a member "full", the suite stops it reading and overflows it
  through a plain subscription of its own; since the kernel keeps accepting a
  little more now and then, it tops that buffer up again right before each
  queue message.

  @rotation @spec-7.4 @spec-7.5
  Scenario: a /queue channel is served to its members in the order they joined
    Given clients "a", "b", "c" and "pub" are connected
    And "a" subscribes to "/queue/jobs" as sid 1
    And "b" subscribes to "/queue/jobs" as sid 1
    And "c" subscribes to "/queue/jobs" as sid 1
    When "pub" publishes "j1", "j2", "j3", "j4", "j5", "j6" and "j7" to "/queue/jobs"
    Then "a" receives on sid 1:
      | seq | channel     | payload |
      | 1   | /queue/jobs | j1      |
      | 2   | /queue/jobs | j4      |
      | 3   | /queue/jobs | j7      |
    And "b" receives on sid 1:
      | seq | channel     | payload |
      | 1   | /queue/jobs | j2      |
      | 2   | /queue/jobs | j5      |
    And "c" receives on sid 1:
      | seq | channel     | payload |
      | 1   | /queue/jobs | j3      |
      | 2   | /queue/jobs | j6      |
    And "a" receives nothing more
    And "b" receives nothing more
    And "c" receives nothing more

  @rotation @spec-7.4
  Scenario Outline: a pattern that starts with the bytes /queue makes a rotation set: <pattern>
    Given clients "a", "b" and "pub" are connected
    And "a" subscribes to "<pattern>" as sid 1
    And "b" subscribes to "<pattern>" as sid 1
    When "pub" publishes "m1", "m2", "m3" and "m4" to "<channel>"
    Then "a" receives "m1" on "<channel>" as sid 1 with seq 1
    And "a" receives "m3" on "<channel>" as sid 1 with seq 2
    And "b" receives "m2" on "<channel>" as sid 1 with seq 1
    And "b" receives "m4" on "<channel>" as sid 1 with seq 2
    And "a" receives nothing more
    And "b" receives nothing more

    Examples:
      | pattern     | channel     |
      | /queue      | /queue      |
      | /queuex     | /queuex     |
      | /queue/*    | /queue/jobs |
      | /queue/jobs | /queue/jobs |

  @spec-7.4 @spec-7.1
  Scenario Outline: a pattern that does not start with the bytes /queue is plain fan-out: <pattern>
    Given clients "a", "b" and "pub" are connected
    And "a" subscribes to "<pattern>" as sid 1
    And "b" subscribes to "<pattern>" as sid 1
    When "pub" publishes "m1" and "m2" to "<channel>"
    Then "a" receives "m1" on "<channel>" as sid 1 with seq 1
    And "a" receives "m2" on "<channel>" as sid 1 with seq 2
    And "b" receives "m1" on "<channel>" as sid 1 with seq 1
    And "b" receives "m2" on "<channel>" as sid 1 with seq 2

    Examples:
      | pattern     | channel     |
      | /Queue/jobs | /Queue/jobs |
      | /jobs/queue | /jobs/queue |
      | /q          | /q          |
      | /queu       | /queu       |

  @rotation @spec-7.4 @spec-7.1
  Scenario: a queue group shares messages while a plain subscriber receives them all
    Given clients "a", "b", "watcher" and "pub" are connected
    And "a" subscribes to "/jobs" in queue group "workers" as sid 1
    And "b" subscribes to "/jobs" in queue group "workers" as sid 1
    And "watcher" subscribes to "/jobs" as sid 1
    When "pub" publishes "m1", "m2", "m3" and "m4" to "/jobs"
    Then "a" receives "m1" on "/jobs" as sid 1 with seq 1
    And "a" receives "m3" on "/jobs" as sid 1 with seq 2
    And "b" receives "m2" on "/jobs" as sid 1 with seq 1
    And "b" receives "m4" on "/jobs" as sid 1 with seq 2
    And "watcher" receives on sid 1:
      | seq | channel | payload |
      | 1   | /jobs   | m1      |
      | 2   | /jobs   | m2      |
      | 3   | /jobs   | m3      |
      | 4   | /jobs   | m4      |
    And "a" receives nothing more
    And "b" receives nothing more

  @rotation @spec-7.4
  Scenario: the same group on different patterns makes different sets, each served once
    Given clients "a", "b", "c", "d" and "pub" are connected
    And "a" subscribes to "/jobs/*" in queue group "g" as sid 1
    And "b" subscribes to "/jobs/*" in queue group "g" as sid 1
    And "c" subscribes to "/jobs/>" in queue group "g" as sid 1
    And "d" subscribes to "/jobs/>" in queue group "g" as sid 1
    When "pub" publishes "m1" and "m2" to "/jobs/x"
    Then "a" receives "m1" on "/jobs/x" as sid 1 with seq 1
    And "b" receives "m2" on "/jobs/x" as sid 1 with seq 1
    And "c" receives "m1" on "/jobs/x" as sid 1 with seq 1
    And "d" receives "m2" on "/jobs/x" as sid 1 with seq 1
    And "a" receives nothing more
    And "b" receives nothing more
    And "c" receives nothing more
    And "d" receives nothing more

  @rotation @spec-7.4
  Scenario: a group on a /queue pattern is a different set from the pattern without a group
    Given clients "a", "b", "c", "d" and "pub" are connected
    And "a" subscribes to "/queue/mail" in queue group "g" as sid 1
    And "b" subscribes to "/queue/mail" in queue group "g" as sid 1
    And "c" subscribes to "/queue/mail" as sid 1
    And "d" subscribes to "/queue/mail" as sid 1
    When "pub" publishes "m1" and "m2" to "/queue/mail"
    Then "a" receives "m1" on "/queue/mail" as sid 1 with seq 1
    And "b" receives "m2" on "/queue/mail" as sid 1 with seq 1
    And "c" receives "m1" on "/queue/mail" as sid 1 with seq 1
    And "d" receives "m2" on "/queue/mail" as sid 1 with seq 1

  @rotation @spec-7.5 @spec-6.8
  Scenario: a member that joins goes last, and the cursor keeps naming whose turn it is when others leave
    Given clients "a", "b", "c" and "pub" are connected
    And "a" subscribes to "/queue/turns" as sid 1
    And "b" subscribes to "/queue/turns" as sid 1
    When "pub" publishes "m1" and "m2" to "/queue/turns"
    # the cursor is back at "a"; "c" joins behind "b"
    And "c" subscribes to "/queue/turns" as sid 1
    And "pub" publishes "m3", "m4", "m5" and "m6" to "/queue/turns"
    # m6 went to "a", so it is "b"'s turn; "a", before the cursor, leaves
    And "a" unsubscribes sid 1
    And "pub" publishes "m7", "m8" and "m9" to "/queue/turns"
    Then "a" receives on sid 1:
      | seq | channel      | payload |
      | 1   | /queue/turns | m1      |
      | 2   | /queue/turns | m3      |
      | 3   | /queue/turns | m6      |
    And "b" receives on sid 1:
      | seq | channel      | payload |
      | 1   | /queue/turns | m2      |
      | 2   | /queue/turns | m4      |
      | 3   | /queue/turns | m7      |
      | 4   | /queue/turns | m9      |
    And "c" receives on sid 1:
      | seq | channel      | payload |
      | 1   | /queue/turns | m5      |
      | 2   | /queue/turns | m8      |
    And "a" receives nothing more
    And "b" receives nothing more
    And "c" receives nothing more

  @rotation @spec-7.9 @spec-4.2
  Scenario: a member with echo off is not offered what its own connection publishes
    Given client "a" is connected with echo off
    And clients "b" and "pub" are connected
    And "a" subscribes to "/queue/echo" as sid 1
    And "b" subscribes to "/queue/echo" as sid 1
    When "a" publishes "from a 1" and "from a 2" to "/queue/echo"
    And "pub" publishes "from pub" to "/queue/echo"
    Then "b" receives "from a 1" on "/queue/echo" as sid 1 with seq 1
    And "b" receives "from a 2" on "/queue/echo" as sid 1 with seq 2
    And "a" receives "from pub" on "/queue/echo" as sid 1 with seq 1
    And "a" receives nothing more
    And "b" receives nothing more

  @skip @overflow-drop @spec-7.5 @spec-7.6
  Scenario: a member whose buffer is full is skipped and keeps its place
    Given clients "a", "b", "c" and "pub" are connected
    And "a" subscribes to "/queue/work" as sid 1
    And "b" subscribes to "/queue/work" as sid 1
    And "c" subscribes to "/queue/work" as sid 1
    And "a" subscribes to "/fill" as sid 2
    And "a" stops reading
    When "pub" fills the buffer of "a" through "/fill"
    And "pub" publishes "w1", "w2", "w3" and "w4" to "/queue/work", topping up "/fill" before each
    Then "b" receives on sid 1:
      | seq | channel     | payload |
      | 1   | /queue/work | w1      |
      | 2   | /queue/work | w3      |
    And "c" receives on sid 1:
      | seq | channel     | payload |
      | 1   | /queue/work | w2      |
      | 2   | /queue/work | w4      |
    When "a" reads again and catches up on sid 2
    And "pub" publishes "w5", "w6" and "w7" to "/queue/work"
    Then "a" receives "w5" on "/queue/work" as sid 1 with seq 1
    And "b" receives "w6" on "/queue/work" as sid 1 with seq 3
    And "c" receives "w7" on "/queue/work" as sid 1 with seq 3
    And "a" receives nothing more
    And "b" receives nothing more
    And "c" receives nothing more

  @charge @notice @overflow-drop @spec-7.7 @spec-8.4 @spec-7.3
  Scenario: when every member is full the message is charged to the member at the cursor
    Given clients "a", "b" and "pub" are connected
    And "a" subscribes to "/queue/full" as sid 1
    And "b" subscribes to "/queue/full" as sid 1
    And "a" subscribes to "/fill" as sid 2
    And "b" subscribes to "/fill" as sid 2
    And "a" stops reading
    And "b" stops reading
    When "pub" fills the buffers of "a" and "b" through "/fill"
    And "pub" publishes "w1", "w2", "w3" and "w4" to "/queue/full", topping up "/fill" before each
    And "a" reads again and catches up on sid 2
    And "b" reads again and catches up on sid 2
    Then "a" receives on sid 1 NOTICEs "queue_full" for seq 1 to 2
    And "b" receives on sid 1 NOTICEs "queue_full" for seq 1 to 2
    When "pub" publishes "w5" and "w6" to "/queue/full"
    Then "a" receives "w5" on "/queue/full" as sid 1 with seq 3
    And "b" receives "w6" on "/queue/full" as sid 1 with seq 3
    And "a" receives nothing more
    And "b" receives nothing more

  @prefetch @spec-7.11 @spec-6.5 @spec-6.10 @spec-7.5
  Scenario: a member without credit is skipped until it acknowledges
    Given clients "a", "b" and "pub" are connected
    And "a" subscribes to "/work" in queue group "w" with prefetch 1 as sid 1
    And "b" subscribes to "/work" in queue group "w" as sid 1
    When "pub" publishes "m1", "m2", "m3" and "m4" to "/work"
    Then "a" receives "m1" on "/work" as sid 1 with seq 1
    And "b" receives on sid 1:
      | seq | channel | payload |
      | 1   | /work   | m2      |
      | 2   | /work   | m3      |
      | 3   | /work   | m4      |
    When "a" acknowledges 1 message on sid 1
    And "pub" publishes "m5" and "m6" to "/work"
    Then "a" receives "m5" on "/work" as sid 1 with seq 2
    And "b" receives "m6" on "/work" as sid 1 with seq 4
    And "a" receives nothing more
    And "b" receives nothing more

  @prefetch @spec-6.10 @spec-7.11
  Scenario: credit never exceeds prefetch; the surplus of an ACK is discarded
    Given clients "a", "b" and "pub" are connected
    And "a" subscribes to "/work" in queue group "w" with prefetch 1 as sid 1
    And "b" subscribes to "/work" in queue group "w" as sid 1
    When "a" acknowledges 5 messages on sid 1
    And "pub" publishes "m1", "m2" and "m3" to "/work"
    Then "a" receives "m1" on "/work" as sid 1 with seq 1
    And "b" receives "m2" on "/work" as sid 1 with seq 1
    And "b" receives "m3" on "/work" as sid 1 with seq 2
    And "a" receives nothing more

  @prefetch @spec-6.10
  Scenario: an ACK of zero messages is refused
    Given client "a" is connected
    And "a" subscribes to "/work" in queue group "w" with prefetch 1 as sid 1
    When "a" tries to acknowledge 0 messages on sid 1
    Then "a" gets the error "invalid_subscription" about ACK sid 1
    And "a" is still connected

  @spec-6.10
  Scenario: an ACK for a subscription made without prefetch is refused
    Given client "a" is connected
    And "a" subscribes to "/work" in queue group "w" as sid 1
    When "a" tries to acknowledge 1 message on sid 1
    Then "a" gets the error "invalid_subscription" about ACK sid 1
    And "a" is still connected

  @spec-6.5
  Scenario: prefetch on a subscription outside any rotation set is refused
    Given client "a" is connected
    When "a" tries to subscribe to "/plain" with prefetch 5 as sid 9
    Then "a" gets the error "invalid_subscription" about SUB sid 9
    And "a" is still connected
