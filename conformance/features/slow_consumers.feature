@slow-consumers
Feature: Slow subscribers, NOTICEs and sequence gaps
  Every connection has an outbound buffer of max_pending_bytes. Routing to a
  full buffer never waits. Under the overflow policy "drop" the newest
  message is dropped whole and counted: the subscriber later sees its seq
  jump, announced by a NOTICE. Under "disconnect" the subscriber is sent
  ERR slow_consumer and closed.

  A subscriber "stops reading" by no longer reading its socket, with a small
  socket receive buffer; the publisher then sends at least 8 MiB plus twice
  max_pending_bytes, more than the kernel and the server's buffer can hold.
  The kernel keeps accepting a little more from time to time, so the server's
  buffer drains in bursts: a subscriber may see several runs of messages,
  each gap announced by a NOTICE.

  @notice @overflow-drop @spec-8.2 @spec-8.3 @spec-8.4 @spec-7.3 @spec-8.1
  Scenario: a subscriber that stops reading finds every dropped message announced by a NOTICE
    Given clients "slow" and "pub" are connected
    And "slow" subscribes to "/firehose" as sid 1
    And "slow" stops reading
    When "pub" publishes enough to "/firehose" to overflow the buffer of "slow"
    And "slow" reads again
    Then "slow" receives on sid 1 every message published, whole and in order, or a NOTICE "slow_consumer" that covers it, with at least one NOTICE
    When "pub" publishes "after" to "/firehose"
    Then "slow" receives "after" on "/firehose" as sid 1 with the next seq
    And "slow" receives nothing more
    And "pub" is still connected

  @notice @overflow-drop @spec-8.4 @spec-9.2
  Scenario: the PONG that answers a PING sent after drops comes after the NOTICEs that report them
    Given clients "slow" and "pub" are connected
    And "slow" subscribes to "/firehose" as sid 1
    And "slow" stops reading
    When "pub" publishes enough to "/firehose" to overflow the buffer of "slow"
    And "slow" sends a PING
    And "slow" reads again
    Then "slow" receives every NOTICE for sid 1 before the PONG that answers that PING
    And "pub" is still connected

  @overflow-disconnect @spec-8.5 @spec-8.1
  Scenario: a subscriber whose buffer overflows is sent slow_consumer and disconnected
    Given clients "slow", "fast" and "pub" are connected
    And "slow" subscribes to "/firehose" as sid 1
    And "fast" subscribes to "/firehose/count" as sid 1
    And "slow" stops reading
    When "pub" publishes enough to "/firehose" to overflow the buffer of "slow"
    And "slow" reads again
    Then "slow" receives on sid 1 an unbroken run of messages from seq 1, then the error "slow_consumer"
    And "slow" is disconnected
    When "pub" publishes "still here" to "/firehose/count"
    Then "fast" receives "still here" on "/firehose/count" as sid 1 with seq 1
    And "pub" is still connected

  @isolation @spec-8.1 @spec-13.1
  Scenario: a subscriber that never reads does not slow down ten that do
    Given the isolation volume is the larger of 32 MiB and 4 times max_pending_bytes
    When 10 readers receive that volume published to "/iso/free", with no stalled subscriber
    And 10 readers receive that volume published to "/iso/stalled", beside 1 subscriber that never reads
    Then the run beside the stalled subscriber took at most 3 times as long as the run without it
