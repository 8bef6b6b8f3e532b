// Package sdkdriver drives each system with its own Go client library
// (`herald bench --sdk`): the Herald Go SDK (sdk/go), nats.go, go-redis and
// Eclipse Paho, behind the same driver.Conn as the minimal protocol clients,
// so the same client loop runs them. Every adapter hands messages from the
// library's callback to Read through a buffered channel.
//
//	sys, err := sdkdriver.For(driver.NATS("127.0.0.1:4222"))
package sdkdriver
