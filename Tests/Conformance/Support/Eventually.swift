// Waiting for another process or task to react, without betting on a fixed delay.

/// Checks `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
///
/// Tests use this instead of a fixed sleep: on a loaded CI machine, a server can take far longer
/// than usual to notice a closed socket or to forward a request.
func eventually(within timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(20))
    }
}
