// swift-kmip: KMIP
//
// Cuts the byte stream of a TLS connection into whole TTLV messages.

import NIOCore

/// A NIO decoder that emits one `ByteBuffer` per TTLV message: it reads the 8-byte header of the
/// outermost item, checks the length against the limit before waiting for the body, and never
/// reserves memory for an unverified length.
package struct KMIPFrameDecoder: ByteToMessageDecoder {
    package typealias InboundOut = ByteBuffer

    let maximumMessageSize: Int

    package init(maximumMessageSize: Int) { self.maximumMessageSize = maximumMessageSize }

    package mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard buffer.readableBytes >= 8, let length = buffer.getInteger(at: buffer.readerIndex + 4, as: UInt32.self) else {
            return .needMoreData
        }
        let itemType = buffer.getInteger(at: buffer.readerIndex + 3, as: UInt8.self)
        guard itemType == ItemType.structure.rawValue else {
            throw KMIPError(.malformedInput, "a KMIP message must be a Structure; the peer sent item type \(itemType.map(String.init) ?? "?")", byteOffset: 3)
        }
        let total = 8 + Int(length)
        guard total <= maximumMessageSize else {
            throw KMIPError(.limitExceeded, "the peer announced a message of \(total) bytes; the limit is \(maximumMessageSize)", byteOffset: 4)
        }
        guard let frame = buffer.readSlice(length: total) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    package mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}
