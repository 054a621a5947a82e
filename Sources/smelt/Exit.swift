import Base

/// The exit code, message and hint a command ends with for `error`: every
/// layer's errors carry their own (`SmeltError`); anything else is an I/O
/// error, the one kind of failure no layer foresaw. Paths that reach a
/// staging folder through its descriptor are shown as the folder's path.
func exitStatus(for error: any Error) -> (code: ExitCode, message: String, hint: String?) {
    guard let error = error as? any SmeltError else { return (.ioError, AnchoredPaths.displayed("\(error)"), nil) }
    return (error.exitCode, AnchoredPaths.displayed(error.message), error.hint)
}
