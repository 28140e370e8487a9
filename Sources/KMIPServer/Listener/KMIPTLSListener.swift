// swift-kmip: KMIPServer
//
// TTLV over mutual TLS (KMIP port 5696): accept connections, require a client certificate, hand
// each request to the engine, answer in order.

import KMIP
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// A listener for TTLV requests over mutual TLS.
///
/// The client certificate's subject common name is the identity the engine sees.
public final class KMIPTLSListener: Sendable {
    /// Where and how to listen.
    public struct Configuration: Sendable {
        /// The address to bind (loopback by default).
        public var host: String = "127.0.0.1"
        /// The port (0: any free port; see ``KMIPTLSListener/port``).
        public var port: Int = 5696
        /// The server's certificate chain (PEM).
        public var certificateChainFile: String
        /// The server's private key (PEM).
        public var privateKeyFile: String
        /// The CA certificates client certificates must chain to (PEM).
        public var clientCAFile: String
        /// Largest request accepted, in bytes.
        public var maximumMessageSize: Int = 1 << 20
        /// A connection that sends nothing for this long (the TLS handshake included) is closed.
        public var idleTimeout: Duration = .seconds(30)
        /// Once the first byte of a request has arrived, the whole request must arrive within this
        /// time, else the connection is closed (a stalled, half-sent message).
        public var requestTimeout: Duration = .seconds(10)
        /// Connections open at once; a connection beyond them is closed as soon as it is accepted
        /// (counted in ``KMIPTLSListener/connectionCounts`` and logged).
        public var maximumConnections: Int = 1000

        /// Creates a configuration.
        public init(certificateChainFile: String, privateKeyFile: String, clientCAFile: String) {
            self.certificateChainFile = certificateChainFile
            self.privateKeyFile = privateKeyFile
            self.clientCAFile = clientCAFile
        }
    }

    let channel: any Channel
    let gate: ConnectionGate
    /// The port the listener is bound to.
    public let port: Int

    private init(channel: any Channel, port: Int, gate: ConnectionGate) {
        self.channel = channel
        self.port = port
        self.gate = gate
    }

    /// Connections open now, refused over the maximum, and closed for a timeout.
    public var connectionCounts: KMIPConnectionCounts { gate.current }

    /// Binds and starts accepting connections.
    public static func start(engine: KMIPServerEngine, configuration: Configuration, logger: Logger = Logger(label: "swift-kmip.server")) async throws -> KMIPTLSListener {
        let context = try serverContext(configuration)
        let maximum = configuration.maximumMessageSize
        let gate = ConnectionGate(maximum: configuration.maximumConnections)
        let (channel, port) = try await bind(configuration, gate: gate, logger: logger, label: "listening") { channel, deadlines in
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
            try channel.pipeline.syncOperations.addHandler(deadlines)
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(KMIPFrameDecoder(maximumMessageSize: maximum)))
            try channel.pipeline.syncOperations.addHandler(KMIPServerConnectionHandler(engine: engine, logger: logger))
        }
        return KMIPTLSListener(channel: channel, port: port, gate: gate)
    }

    /// Stops accepting connections.
    public func shutdown() async {
        try? await channel.close()
    }

    /// Binds a server socket on the configured address with each connection's handlers set up by
    /// `handlers` (given the connection's deadline handler to put behind the TLS handler); a
    /// connection over the maximum gets no handlers and is closed. Returns the channel and the
    /// port (the system's choice when the configuration said 0).
    static func bind(
        _ configuration: Configuration, gate: ConnectionGate, logger: Logger, label: String,
        handlers: @escaping @Sendable (any Channel, ConnectionDeadlineHandler) throws -> Void
    ) async throws -> (any Channel, Int) {
        guard configuration.maximumConnections > 0, configuration.idleTimeout > .zero, configuration.requestTimeout > .zero else {
            throw KMIPServerSetupError("the maximum number of connections and the timeouts must be positive")
        }
        let idle = TimeAmount(configuration.idleTimeout)
        let request = TimeAmount(configuration.requestTimeout)
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                guard gate.admit() else {
                    logger.warning(
                        "connection refused: \(gate.maximum) connections are open, the maximum",
                        metadata: ["kmip.peer": "\(channel.remoteAddress.map { "\($0)" } ?? "-")"])
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(RefusedConnectionHandler())
                    }
                }
                channel.closeFuture.whenComplete { _ in gate.leave() }
                return channel.eventLoop.makeCompletedFuture {
                    try handlers(channel, ConnectionDeadlineHandler(idle: idle, request: request, gate: gate, logger: logger))
                }
            }
        let channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        let port = channel.localAddress?.port ?? configuration.port
        logger.info("\(label)", metadata: ["kmip.address": "\(configuration.host):\(port)"])
        return (channel, port)
    }

    /// Mutual TLS, 1.2 at least: a client certificate issued by the configured CA is required.
    static func serverContext(_ configuration: Configuration) throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(configuration.certificateChainFile).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: configuration.privateKeyFile, format: .pem)))
        tls.minimumTLSVersion = .tlsv12
        tls.certificateVerification = .noHostnameVerification
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(configuration.clientCAFile))
        return try NIOSSLContext(configuration: tls)
    }
}

/// Decodes each request, lets the engine answer it, writes the response; requests on one
/// connection are answered in order.
final class KMIPServerConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let engine: KMIPServerEngine
    let logger: Logger
    private var previous: EventLoopFuture<Void>?
    private var identity: String?

    init(engine: KMIPServerEngine, logger: Logger) {
        self.engine = engine
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var frame = unwrapInboundIn(data)
        let bytes = frame.readBytes(length: frame.readableBytes) ?? []
        // The whole request is here: its clock stops, the idle one starts.
        context.triggerUserOutboundEvent(KMIPRequestReceived(), promise: nil)
        if identity == nil {
            let certificate = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self).peerCertificate
            identity = (try? certificate?.toDERBytes()).flatMap { subjectCommonName(ofDER: $0) } ?? "unknown"
        }
        let identity = self.identity ?? "unknown"
        let engine = self.engine
        let channel = context.channel
        let eventLoop = context.eventLoop
        let start = previous ?? eventLoop.makeSucceededVoidFuture()
        let done = start.flatMap {
            eventLoop.makeFutureWithTask {
                await Self.answer(bytes, identity: identity, engine: engine)
            }
        }.flatMap { response in
            channel.writeAndFlush(ByteBuffer(bytes: response))
        }
        done.whenFailure { [logger] error in
            logger.warning("connection closed", metadata: ["kmip.error": "\(error)"])
            channel.close(promise: nil)
        }
        previous = done
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.notice("connection error", metadata: ["kmip.error": "\(error)"])
        context.close(promise: nil)
    }

    /// The response bytes for request bytes; a request that does not decode gets an Invalid
    /// Message answer in its version when that can be read, else in KMIP 1.0.
    static func answer(_ bytes: [UInt8], identity: String, engine: KMIPServerEngine) async -> [UInt8] {
        let tree: KMIPItem
        do {
            tree = try TTLVDecoder().decode(bytes)
            let request = try RequestMessage(tree: tree)
            return try await engine.handle(request, identity: identity).ttlvBytes()
        } catch {
            let version = (try? TTLVDecoder(options: .tolerant).decode(bytes))?.protocolVersion.flatMap { version in
                KMIPServerEngine.supportedVersions.contains(version) ? version : nil
            } ?? .v1_0
            let response = ResponseMessage(
                header: ResponseHeader(protocolVersion: version, timeStamp: KMIPDateTime(secondsSince1970: SystemClock.secondsSince1970())),
                batchItems: [ResponseBatchItem(
                    operation: nil, resultStatus: .operationFailed, resultReason: .invalidMessage,
                    resultMessage: "the request does not decode: \(error)")])
            // A one-item failure in a supported version always encodes.
            return try! response.ttlvBytes()
        }
    }
}
