// swift-kmip: KMIPServer
//
// Connection limits shared by the TTLV and HTTPS listeners: how many connections may be open at
// once, how long a connection may sit idle, and how long one request may take to arrive.

import Foundation
import Logging
import NIOCore

/// Counts of a listener's connections.
public struct KMIPConnectionCounts: Hashable, Sendable {
    /// Connections open now.
    public var open: Int
    /// Connections refused because the maximum was open.
    public var refused: Int
    /// Connections closed because they were idle, or a request did not arrive in time.
    public var timedOut: Int
}

/// Admits connections up to a maximum and keeps the counts.
final class ConnectionGate: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var counts = KMIPConnectionCounts(open: 0, refused: 0, timedOut: 0)
    let maximum: Int

    init(maximum: Int) {
        self.maximum = maximum
    }

    /// Takes a place for a new connection, or counts it refused when the maximum is open.
    func admit() -> Bool {
        lock.withLock {
            guard counts.open < maximum else {
                counts.refused += 1
                return false
            }
            counts.open += 1
            return true
        }
    }

    /// Gives back the place of a closed connection.
    func leave() { lock.withLock { counts.open -= 1 } }

    func timedOut() { lock.withLock { counts.timedOut += 1 } }

    var current: KMIPConnectionCounts { lock.withLock { counts } }
}

/// Sent towards the socket by the handler that has read one whole request, so that the deadline
/// handler stops the request's clock and starts the idle one.
struct KMIPRequestReceived {}

/// Closes a connection that sends nothing for `idle` (the TLS handshake included), or whose
/// request, once its first byte arrived, is not whole within `request`. It sits behind the TLS
/// handler, so it counts decrypted bytes.
final class ConnectionDeadlineHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    let idle: TimeAmount
    let request: TimeAmount
    let gate: ConnectionGate
    let logger: Logger
    private var timer: Scheduled<Void>?
    private var receiving = false

    init(idle: TimeAmount, request: TimeAmount, gate: ConnectionGate, logger: Logger) {
        self.idle = idle
        self.request = request
        self.gate = gate
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context, idle, "idle for \(idle.described)") }
    }

    func channelActive(context: ChannelHandlerContext) {
        if timer == nil { arm(context, idle, "idle for \(idle.described)") }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !receiving {
            receiving = true
            arm(context, request, "a request not complete within \(request.described)")
        }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is KMIPRequestReceived else {
            return context.triggerUserOutboundEvent(event, promise: promise)
        }
        receiving = false
        arm(context, idle, "idle for \(idle.described)")
        promise?.succeed()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    private func arm(_ context: ChannelHandlerContext, _ amount: TimeAmount, _ reason: String) {
        timer?.cancel()
        let channel = context.channel
        let (gate, logger) = (self.gate, self.logger)
        let peer = channel.remoteAddress.map { "\($0)" } ?? "-"
        timer = context.eventLoop.scheduleTask(in: amount) {
            gate.timedOut()
            logger.notice("connection closed: \(reason)", metadata: ["kmip.peer": "\(peer)"])
            channel.close(promise: nil)
        }
    }
}

/// The only handler of a connection over the maximum: it closes the connection at once.
final class RefusedConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    func channelActive(context: ChannelHandlerContext) {
        context.close(promise: nil)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { context.close(promise: nil) }
    }
}

extension TimeAmount {
    /// Whole seconds, or milliseconds below a second, for messages.
    var described: String {
        nanoseconds % 1_000_000_000 == 0 ? "\(nanoseconds / 1_000_000_000) s" : "\(nanoseconds / 1_000_000) ms"
    }
}
