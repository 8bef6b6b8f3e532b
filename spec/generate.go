package spec

//go:generate go run ./internal/vecgen -out vectors
