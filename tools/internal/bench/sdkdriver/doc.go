// Package sdkdriver drives each system with its own Go client library
// (`herald bench --sdk`): nats.go, go-redis and Eclipse Paho, behind the same
// driver.Conn as the minimal protocol clients, so the same client loop runs
// them. The Herald Go SDK (sdk/go) is not written yet: Herald returns an
// error until it is.
//
//	sys, err := sdkdriver.For(driver.NATS("127.0.0.1:4222"))
package sdkdriver
