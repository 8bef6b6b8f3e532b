@auth
Feature: Authentication and permissions
  A server that announces the capability auth checks the user and token of
  every HELLO, and answers each PUB and SUB outside the user's permissions
  with ERR permission_denied, leaving the connection open.

  Scenarios tagged @restricted-user need the runner's --restricted-user and
  --restricted-token: a user whom the server refuses, for publishing and for
  subscribing, every channel whose second segment is "forbidden" (the
  patterns /*/forbidden and /*/forbidden/>), and permits everything else.
  Without such a user they are skipped, with the reason.

  @spec-4.6 @spec-10.2
  Scenario: a known user with a wrong token is refused
    Given a connection "mallory" that has not sent HELLO
    When "mallory" sends HELLO as the runner's user with a wrong token
    Then "mallory" gets the error "auth_failed"
    And "mallory" is disconnected

  @restricted-user @spec-6.6 @spec-10.1
  Scenario: a publication outside the permissions is refused and routed nowhere
    Given client "alice" is connected
    And client "rita" is connected as the restricted user
    And "alice" subscribes to "/perm/>" as sid 1
    When "rita" tries to publish "secret" to "/perm/forbidden"
    Then "rita" gets the error "permission_denied" about PUB on "/perm/forbidden"
    And "rita" is still connected
    When "rita" publishes "fine" to "/perm/open"
    Then "alice" receives "fine" on "/perm/open" as sid 1 with seq 1
    And "alice" receives nothing more

  @restricted-user @spec-6.6 @spec-10.1
  Scenario: a subscription outside the permissions is refused and receives nothing
    Given client "alice" is connected
    And client "rita" is connected as the restricted user
    When "rita" tries to subscribe to "/perm/forbidden" as sid 1
    Then "rita" gets the error "permission_denied" about SUB sid 1 on "/perm/forbidden"
    And "rita" is still connected
    When "rita" subscribes to "/perm/open" as sid 2
    And "alice" publishes "hidden" to "/perm/forbidden"
    And "alice" publishes "shown" to "/perm/open"
    Then "rita" receives "shown" on "/perm/open" as sid 2 with seq 1
    And "rita" receives nothing more
