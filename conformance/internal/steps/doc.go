// Package steps holds the conformance suite's step definitions: the Go
// behind every line of the feature files. Steps speak to the server through
// package probe only (raw TCP and the reference codec), read capabilities and
// limits from WELCOME, sequence connections with PING/PONG barriers and wait
// on events with deadlines (PROTOCOL.md 9.2, 13.3).
//
//	env := steps.NewEnv(steps.Settings{Addr: "127.0.0.1:7420"})
//	suite := godog.TestSuite{ScenarioInitializer: env.InitScenario, Options: opts}
//	suite.Run()
//	for _, o := range env.Outcomes() {
//		fmt.Println(o.Status, o.Name, o.Detail)
//	}
//
// Every scenario gets a namespace token appended to the first segment of the
// names it uses, so scenarios never see one another's subscriptions.
package steps
