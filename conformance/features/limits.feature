@limits
Feature: Limits
  WELCOME announces the largest payload and the most subscriptions a
  connection may hold; what goes beyond is refused, not routed, and the
  connection stays open.

  @spec-6.2
  Scenario: a payload one byte over max_payload is refused and not routed
    Given clients "alice" and "bob" are connected
    And "alice" subscribes to "/big" as sid 1
    When "bob" tries to publish a payload of max_payload + 1 bytes to "/big"
    Then "bob" gets the error "payload_too_large" about PUB on "/big"
    And "bob" is still connected
    When "bob" publishes "small" to "/big"
    Then "alice" receives "small" on "/big" as sid 1 with seq 1

  @payload-fits-buffer @spec-6.2 @spec-4.4 @spec-7.1
  Scenario: a payload of exactly max_payload bytes is delivered whole
    Given clients "alice" and "bob" are connected
    And "alice" subscribes to "/big" as sid 1
    When "bob" publishes a payload of max_payload bytes to "/big"
    Then "alice" receives a payload of max_payload bytes on "/big" as sid 1 with seq 1

  @max-subscriptions @spec-6.6
  Scenario: a SUB past max_subscriptions is refused until a subscription ends
    Given clients "alice" and "bob" are connected
    And "alice" holds max_subscriptions subscriptions, sids 1 to max_subscriptions on "/many/1" onwards
    When "alice" tries to subscribe to "/extra" as sid max_subscriptions + 1
    Then "alice" gets the error "too_many_subscriptions" about SUB sid max_subscriptions + 1
    And "alice" is still connected
    When "alice" unsubscribes sid 1
    And "alice" subscribes to "/extra" as sid max_subscriptions + 1
    And "bob" publishes "room again" to "/extra"
    Then "alice" receives "room again" on "/extra" as sid max_subscriptions + 1 with seq 1
