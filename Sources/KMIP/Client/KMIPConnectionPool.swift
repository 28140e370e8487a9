// swift-kmip: KMIP
//
// A bounded pool of TLS connections with idle reaping, health checks and failover.

import Logging
import NIOSSL

/// Hands out connections, one caller at a time each; at most `maximumConnections` exist.
actor KMIPConnectionPool {
    private let configuration: KMIPClientConfiguration
    private let sslContext: NIOSSLContext
    private let pinnedKeys: [[UInt8]]
    private var idle: [(connection: KMIPConnection, since: ContinuousClock.Instant)] = []
    private var open = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var nextID = 1
    private var preferredEndpoint = 0
    private var isShutDown = false

    init(configuration: KMIPClientConfiguration, sslContext: NIOSSLContext, pinnedKeys: [[UInt8]]) {
        self.configuration = configuration
        self.sslContext = sslContext
        self.pinnedKeys = pinnedKeys
    }

    /// A connection for one request: an idle healthy one, a new one, or the next one released.
    func acquire() async throws -> KMIPConnection {
        while true {
            if isShutDown { throw KMIPError(.clientShutDown, "the client was shut down") }
            // Reuse the most recently used idle connection that is still open and not too old.
            while let (connection, since) = idle.popLast() {
                if connection.isActive && ContinuousClock.now - since < configuration.idleTimeout {
                    return connection
                }
                connection.close()
                open -= 1
            }
            if open < configuration.maximumConnections {
                open += 1
                do {
                    return try await connect()
                } catch {
                    open -= 1
                    wakeOne()
                    throw error
                }
            }
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    /// Returns a connection; a broken one is closed.
    func release(_ connection: KMIPConnection, reusable: Bool) {
        if reusable && connection.isActive && !isShutDown {
            idle.append((connection, .now))
        } else {
            connection.close()
            open -= 1
        }
        wakeOne()
    }

    /// Closes every connection; later acquisitions fail.
    func shutdown() {
        isShutDown = true
        for (connection, _) in idle { connection.close() }
        open -= idle.count
        idle.removeAll()
        for waiter in waiters { waiter.resume() }
        waiters.removeAll()
    }

    private func wakeOne() {
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }

    /// Connects to the first endpoint that answers, starting with the last one that worked.
    private func connect() async throws -> KMIPConnection {
        let endpoints = configuration.endpoints
        guard !endpoints.isEmpty else { throw KMIPError(.connectionFailed, "no KMIP server endpoints are configured") }
        var failures: [String] = []
        var firstTLSFailure: KMIPError?
        for offset in 0..<endpoints.count {
            let index = (preferredEndpoint + offset) % endpoints.count
            let id = nextID
            nextID += 1
            do {
                let connection = try await KMIPConnection.connect(
                    to: endpoints[index], sslContext: sslContext, tls: configuration.tls, pinnedKeys: pinnedKeys,
                    timeout: configuration.connectTimeout,
                    maximumMessageSize: configuration.maximumResponseSize, id: id, logger: configuration.logger)
                preferredEndpoint = index
                return connection
            } catch let error as KMIPError {
                configuration.logger.warning("cannot connect", metadata: ["kmip.endpoint": "\(endpoints[index])", "kmip.error": "\(error.reason)"])
                if error.code == .tlsFailure && firstTLSFailure == nil { firstTLSFailure = error }
                failures.append(error.reason)
            }
        }
        if endpoints.count == 1, let firstTLSFailure { throw firstTLSFailure }
        throw KMIPError(
            firstTLSFailure?.code ?? .connectionFailed,
            failures.count == 1 ? failures[0] : "no server could be reached: " + failures.joined(separator: "; "))
    }
}
