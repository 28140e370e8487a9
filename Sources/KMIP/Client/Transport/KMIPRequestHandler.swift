// swift-kmip: KMIP
//
// Matches responses to requests on one connection (KMIP answers in order) and reports the TLS
// handshake.

import NIOCore
import NIOTLS

/// One request on its way out, with the promise of its response.
struct KMIPOutboundRequest: Sendable {
    var bytes: ByteBuffer
    var response: EventLoopPromise<ByteBuffer>
}

/// The last handler of a client connection: requests in, responses out, in order.
final class KMIPRequestHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = KMIPOutboundRequest
    typealias OutboundOut = ByteBuffer

    private var pending = CircularBuffer<EventLoopPromise<ByteBuffer>>()
    private let handshake: EventLoopPromise<Void>
    private var handshakeDone = false

    init(handshake: EventLoopPromise<Void>) {
        self.handshake = handshake
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        pending.append(request.response)
        context.write(wrapOutboundOut(request.bytes), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard let promise = pending.popFirst() else {
            // A response nobody asked for: the stream can no longer be trusted.
            context.fireErrorCaught(KMIPError(.unexpectedItem, "the server sent a message no request was waiting for"))
            context.close(promise: nil)
            return
        }
        promise.succeed(frame)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event, !handshakeDone {
            handshakeDone = true
            handshake.succeed(())
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(KMIPError(.connectionClosed, "the server closed the connection"))
        context.fireChannelInactive()
    }

    private func failAll(_ error: any Error) {
        if !handshakeDone {
            handshakeDone = true
            handshake.fail(error)
        }
        while let promise = pending.popFirst() { promise.fail(error) }
    }
}
