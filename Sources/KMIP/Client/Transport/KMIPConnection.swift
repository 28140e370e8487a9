// swift-kmip: KMIP
//
// One TLS connection to a KMIP server: connect with a deadline, send a request, wait for its
// response with a deadline, knowing whether the request left.

import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// A connection to one endpoint; one request at a time (the pool hands it to one caller).
final class KMIPConnection: Sendable {
    let channel: any Channel
    let endpoint: KMIPClientConfiguration.Endpoint
    let id: Int
    let createdAt: ContinuousClock.Instant

    private init(channel: any Channel, endpoint: KMIPClientConfiguration.Endpoint, id: Int) {
        self.channel = channel
        self.endpoint = endpoint
        self.id = id
        self.createdAt = .now
    }

    var isActive: Bool { channel.isActive }

    /// Connects and completes the TLS handshake within `timeout`.
    static func connect(
        to endpoint: KMIPClientConfiguration.Endpoint, sslContext: NIOSSLContext, tls: KMIPTLSConfiguration,
        pinnedKeys: [[UInt8]], timeout: Duration, maximumMessageSize: Int, id: Int, logger: Logger
    ) async throws -> KMIPConnection {
        let group = MultiThreadedEventLoopGroup.singleton
        let serverName = tls.serverName ?? (Self.isIPAddress(endpoint.host) ? nil : endpoint.host)
        let handshakeBox = NIOLockedValueBox<EventLoopPromise<Void>?>(nil)
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000))
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handshake = channel.eventLoop.makePromise(of: Void.self)
                    handshakeBox.withLockedValue { $0 = handshake }
                    let ssl = try NIOSSLClientHandler(context: sslContext, serverHostname: serverName)
                    try channel.pipeline.syncOperations.addHandler(ssl)
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(KMIPFrameDecoder(maximumMessageSize: maximumMessageSize)))
                    try channel.pipeline.syncOperations.addHandler(KMIPRequestHandler(handshake: handshake))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: endpoint.host, port: endpoint.port).get()
        } catch {
            // The channel may have been set up before the connection failed: end its handshake promise.
            handshakeBox.withLockedValue { $0?.fail(error) }
            throw KMIPError(.connectionFailed, "cannot connect to \(endpoint): \(Self.describe(error))")
        }
        guard let handshake = handshakeBox.withLockedValue({ $0?.futureResult }) else {
            channel.close(promise: nil)
            throw KMIPError(.connectionFailed, "the connection to \(endpoint) was not set up")
        }
        let deadline = channel.eventLoop.scheduleTask(in: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000)) {
            channel.close(promise: nil)
        }
        do {
            try await handshake.get()
            deadline.cancel()
        } catch {
            deadline.cancel()
            channel.close(promise: nil)
            throw KMIPError(.tlsFailure, "TLS handshake with \(endpoint) failed: \(Self.describe(error))")
        }
        if !pinnedKeys.isEmpty {
            let presented = try? await channel.nioSSL_peerCertificate().get()?.extractPublicKey().toSPKIBytes()
            guard let presented, pinnedKeys.contains(presented) else {
                channel.close(promise: nil)
                throw KMIPError(.tlsFailure, "TLS handshake with \(endpoint) failed: the server's public key is not one of the \(pinnedKeys.count) pinned keys")
            }
        }
        logger.debug("connected", metadata: ["kmip.endpoint": "\(endpoint)", "kmip.connection": "\(id)"])
        return KMIPConnection(channel: channel, endpoint: endpoint, id: id)
    }

    /// Sends one request and waits for its response.
    ///
    /// - Throws: ``KMIPError`` `.connectionClosed` when the request could not be written (it did
    ///   not leave), `.responseLost` when it was written but no response came within `timeout`,
    ///   the connection broke, or the task was cancelled.
    func send(_ bytes: [UInt8], timeout: Duration) async throws -> [UInt8] {
        let eventLoop = channel.eventLoop
        let response = eventLoop.makePromise(of: ByteBuffer.self)
        let written = eventLoop.makePromise(of: Void.self)
        let channel = self.channel
        let timer = eventLoop.scheduleTask(in: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)) {
            response.fail(KMIPError(.responseLost, "no response within \(timeout); the server may have executed the request"))
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            channel.writeAndFlush(KMIPOutboundRequest(bytes: ByteBuffer(bytes: bytes), response: response), promise: written)
            do {
                try await written.futureResult.get()
            } catch {
                response.fail(error)
                throw KMIPError(.connectionClosed, "the request could not be sent (it did not leave): \(Self.describe(error))")
            }
            do {
                var frame = try await response.futureResult.get()
                return frame.readBytes(length: frame.readableBytes) ?? []
            } catch let error as KMIPError where error.code == .responseLost {
                throw error
            } catch {
                throw KMIPError(.responseLost, "the connection broke after the request was sent; the server may have executed it: \(Self.describe(error))")
            }
        } onCancel: {
            response.fail(KMIPError(.responseLost, "cancelled after the request was sent; the server may have executed it"))
            channel.close(promise: nil)
        }
    }

    func close() {
        channel.close(promise: nil)
    }

    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? KMIPError { return error.reason }
        if let error = error as? NIOSSLError {
            switch error {
            case .handshakeFailed(let reason): return "handshake failed: \(reason)"
            default: return "\(error)"
            }
        }
        if let error = error as? NIOSSLExtraError { return "\(error)" }
        return "\(error)"
    }
}
