@wildcards
Feature: Wildcards
  "*" matches exactly one segment; ">" as the last segment matches one or more
  trailing segments; everything else is compared byte for byte.

  Each row publishes a probe to the channel, then a witness to a channel the
  pattern surely matches. Because a subscription receives one publisher's
  messages in order and with consecutive seq, the witness's seq tells whether
  the probe was delivered, without waiting for something not to happen.

  @spec-5.2 @spec-5.3 @spec-7.1 @spec-7.2 @spec-7.3
  Scenario Outline: "<pattern>" <verdict> "<channel>"
    Given client "alice" is connected
    And "alice" subscribes to "<pattern>" as sid 1
    When "alice" publishes a probe to "<channel>" and then a witness to a channel that "<pattern>" matches
    Then "<pattern>" <verdict> "<channel>", as the witness's seq on sid 1 of "alice" shows

    Examples:
      | pattern    | verdict           | channel        |
      | /topic/foo | matches           | /topic/foo     |
      | /topic/foo | does not match    | /topic/foobar  |
      | /topic/foo | does not match    | /topic         |
      | /topic/foo | does not match    | /Topic/foo     |
      | /orders/*  | matches           | /orders/eu     |
      | /orders/*  | does not match    | /orders        |
      | /orders/*  | does not match    | /orders/eu/new |
      | /orders/>  | matches           | /orders/eu     |
      | /orders/>  | matches           | /orders/eu/new |
      | /orders/>  | does not match    | /orders        |
      | />         | matches           | /a             |
      | />         | matches           | /a/b/c         |
      | /*         | matches           | /a             |
      | /*         | does not match    | /a/b           |
      | /*/eu/*    | matches           | /orders/eu/new |
      | /*/eu/*    | does not match    | /orders/us/new |
      | /a/*/c/>   | matches           | /a/b/c/d       |
      | /a/*/c/>   | does not match    | /a/b/c         |
      | /queue/*   | matches           | /queue/jobs    |
      | /a/b       | does not match    | /a/b/c         |
      | /a/b/c     | does not match    | /a/b           |

  @spec-7.1 @spec-7.3
  Scenario: one connection with several matching subscriptions gets one copy per subscription
    Given clients "alice" and "bob" are connected
    And "alice" subscribes to "/news/>" as sid 1
    And "alice" subscribes to "/news/*" as sid 2
    And "alice" subscribes to "/news/sport" as sid 3
    When "bob" publishes "goal" to "/news/sport"
    And "bob" publishes "more" to "/news/sport"
    Then "alice" receives on sid 1:
      | seq | channel     | payload |
      | 1   | /news/sport | goal    |
      | 2   | /news/sport | more    |
    And "alice" receives on sid 2:
      | seq | channel     | payload |
      | 1   | /news/sport | goal    |
      | 2   | /news/sport | more    |
    And "alice" receives on sid 3:
      | seq | channel     | payload |
      | 1   | /news/sport | goal    |
      | 2   | /news/sport | more    |
