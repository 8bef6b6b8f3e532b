@headers-and-replies
Feature: Headers and no-responders replies
  A PUB may carry headers, a map of strings to strings. A server that
  announces the capability "headers" carries them to subscribers unchanged.
  Every server refuses headers longer than the max_header_bytes it announced.

  @headers @spec-4.7 @spec-6.1
  Scenario: headers reach the subscriber unchanged
    Given clients "alice" and "bob" are connected
    And "alice" subscribes to "/h" as sid 1
    When "bob" publishes "with headers" to "/h" with headers:
      | name         | value            |
      | trace-id     | 4bf92f3577b34da6 |
      | content-type | text/plain       |
    Then "alice" receives "with headers" on "/h" as sid 1 with seq 1 and headers:
      | name         | value            |
      | trace-id     | 4bf92f3577b34da6 |
      | content-type | text/plain       |

  @headers @spec-2.6
  Scenario Outline: headers written as a <map> are accepted
    Given clients "alice" and "bob" are connected
    And "alice" subscribes to "/h" as sid 1
    When "bob" publishes "x" to "/h", with headers k=v written as a <map>
    Then "alice" receives "x" on "/h" as sid 1 with seq 1 and headers:
      | name | value |
      | k    | v     |

    Examples:
      | map    |
      | fixmap |
      | map 16 |
      | map 32 |

  @spec-6.3
  Scenario: headers of exactly max_header_bytes pass and one byte more is refused
    Given clients "alice" and "bob" are connected
    And "alice" subscribes to "/h" as sid 1
    When "bob" publishes "at the limit" to "/h" with headers of max_header_bytes encoded bytes
    And "bob" tries to publish "over the limit" to "/h" with headers of max_header_bytes + 1 encoded bytes
    Then "bob" gets the error "headers_too_large" about PUB on "/h"
    And "bob" is still connected
    When "bob" publishes "after" to "/h"
    Then "alice" receives "at the limit" on "/h" as sid 1 with seq 1
    And "alice" receives "after" on "/h" as sid 1 with seq 2

  @no_responders @spec-7.10 @spec-4.2
  Scenario: a request that reaches nobody comes back as a no-responders message
    Given client "client" is connected with no_responders on
    And "client" subscribes to "/inbox/client/>" as sid 9
    When "client" publishes "anyone?" to "/svc/nobody" with reply-to "/inbox/client/1"
    Then "client" receives a no-responders message on "/inbox/client/1" as sid 9 with seq 1

  @no_responders @spec-7.10
  Scenario: without the no_responders option a request that reaches nobody gets nothing
    Given client "client" is connected
    And "client" subscribes to "/inbox/client/>" as sid 9
    When "client" publishes "anyone?" to "/svc/nobody" with reply-to "/inbox/client/1"
    And "client" publishes "marker" to "/inbox/client/2"
    Then "client" receives "marker" on "/inbox/client/2" as sid 9 with seq 1

  @no_responders @spec-7.10
  Scenario: a request that reaches a subscriber gets no no-responders message
    Given client "client" is connected with no_responders on
    And client "service" is connected
    And "service" subscribes to "/svc/time" as sid 1
    And "client" subscribes to "/inbox/client/>" as sid 9
    When "client" publishes "what time is it?" to "/svc/time" with reply-to "/inbox/client/1"
    And "client" publishes "marker" to "/inbox/client/2"
    Then "service" receives "what time is it?" on "/svc/time" as sid 1 with seq 1 and reply-to "/inbox/client/1"
    And "client" receives "marker" on "/inbox/client/2" as sid 9 with seq 1
