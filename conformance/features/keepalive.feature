@keepalive
Feature: Keepalive
  PING is answered with PONG, after everything sent before it has been
  processed, which makes PING/PONG a barrier. A server pings a client that has
  been silent for ping_interval_ms, and closes one that has sent nothing for
  ping_interval_ms × (max_pings_out + 1). These scenarios last a few ping
  intervals, as read from WELCOME.

  @spec-9.1 @spec-9.2
  Scenario: PING is answered with PONG, after the frames sent before it
    Given clients "alice" and "bob" are connected
    When "alice" sends a subscription to "/barrier" as sid 1 and a PING in one write
    And "alice" receives a PONG
    And "bob" sends a publication of "after the barrier" to "/barrier" and a PING in one write
    And "bob" receives a PONG
    Then "alice" receives "after the barrier" on "/barrier" as sid 1 with seq 1

  @spec-9.1 @spec-9.3
  Scenario: an idle client that answers the server's PINGs stays connected
    Given client "alice" is connected
    When "alice" sends nothing until the server has pinged it max_pings_out + 1 times, answering each
    Then "alice" is still connected

  @spec-9.3 @spec-13.2
  Scenario: a client that sends nothing and answers no PING is closed as stale in the spec'd window
    Given client "mute" is connected and does not answer PINGs
    Then "mute" gets the error "stale_connection" no sooner than ping_interval_ms × max_pings_out and no later than ping_interval_ms × (max_pings_out + 1) + 2 s after its HELLO
    And "mute" is disconnected

  @spec-9.3
  Scenario: a client that keeps sending is not stale, even while it reads nothing
    Given client "busy" is connected
    And "busy" stops reading
    When "busy" publishes to "/nobody" every half ping interval for max_pings_out + 2 ping intervals
    And "busy" reads again
    Then "busy" is still connected
