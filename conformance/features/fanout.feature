@fanout
Feature: Fan-out, order and sequence numbers
  Every subscription that matches a published channel, and is not in a
  rotation set, receives the message exactly once under its own sid. Messages
  from one publisher keep their order, and each subscription numbers what it
  receives 1, 2, 3, ... with no hole.

  @spec-7.1 @spec-7.3 @spec-2.7 @spec-6.1 @spec-6.7 @spec-9.2
  Scenario: every matching subscription receives each message once, under its own sid
    Given clients "alice", "bob", "carol" and "dave" are connected
    And "alice" subscribes to "/news/sport" as sid 1
    And "bob" subscribes to "/news/*" as sid 7
    And "carol" subscribes to "/news/>" as sid 4294967295
    When "dave" publishes "goal" to "/news/sport"
    And "dave" publishes "final" to "/news/sport"
    Then "alice" receives on sid 1:
      | seq | channel     | payload |
      | 1   | /news/sport | goal    |
      | 2   | /news/sport | final   |
    And "bob" receives on sid 7:
      | seq | channel     | payload |
      | 1   | /news/sport | goal    |
      | 2   | /news/sport | final   |
    And "carol" receives on sid 4294967295:
      | seq | channel     | payload |
      | 1   | /news/sport | goal    |
      | 2   | /news/sport | final   |
    And "alice" receives nothing more
    And "bob" receives nothing more
    And "carol" receives nothing more

  @spec-7.2 @spec-7.3
  Scenario: messages from one publisher arrive in the order they were published
    Given clients "alice" and "bob" are connected
    And "alice" subscribes to "/ticks" as sid 1
    When "bob" publishes 500 numbered messages to "/ticks"
    Then "alice" receives the 500 numbered messages on sid 1 in order, with seq 1 to 500

  @spec-4.2 @spec-7.1
  Scenario: by default a client receives what it publishes itself
    Given client "alice" is connected
    And "alice" subscribes to "/self" as sid 1
    When "alice" publishes "echo" to "/self"
    Then "alice" receives "echo" on "/self" as sid 1 with seq 1

  @spec-6.1 @spec-6.3
  Scenario: an empty payload is a valid message
    Given clients "alice" and "bob" are connected
    And "alice" subscribes to "/empty" as sid 1
    When "bob" publishes "" to "/empty"
    Then "alice" receives "" on "/empty" as sid 1 with seq 1

  @spec-6.1
  Scenario: a message that matches no subscription is accepted and goes nowhere
    Given client "alice" is connected
    When "alice" publishes "into the void" to "/nobody/listens"
    Then "alice" is still connected
    And "alice" receives nothing more

  @spec-6.1
  Scenario: the reply-to travels with the message and the reply comes back
    Given clients "client" and "service" are connected
    And "service" subscribes to "/svc/time" as sid 1
    And "client" subscribes to "/inbox/client/>" as sid 9
    When "client" publishes "what time is it?" to "/svc/time" with reply-to "/inbox/client/1"
    Then "service" receives "what time is it?" on "/svc/time" as sid 1 with seq 1 and reply-to "/inbox/client/1"
    When "service" publishes "noon" to "/inbox/client/1"
    Then "client" receives "noon" on "/inbox/client/1" as sid 9 with seq 1
