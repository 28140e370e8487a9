// Incremental framing of a byte stream into whole messages.

import Testing
import KMIPTTLV

@Suite("TTLV framing")
struct FrameDecoderTests {
    static func captures() throws -> [[UInt8]] {
        try Repository.files(in: "Vectors/pykmip", withSuffix: ".hex").map { try bytes(hex: try Repository.text("Vectors/pykmip/\($0)")) }
    }

    @Test("byte by byte, every message comes out whole and in order")
    func byteByByte() throws {
        let messages = try Self.captures()
        var framer = TTLVFrameDecoder()
        var received: [[UInt8]] = []
        for byte in messages.joined() {
            framer.append(CollectionOfOne(byte))
            while let message = try framer.nextMessage() { received.append(message) }
        }
        #expect(received == messages)
        #expect(framer.bufferedByteCount == 0)
    }

    @Test("chunks of uneven sizes")
    func chunks() throws {
        let messages = try Self.captures()
        let stream = Array(messages.joined())
        var framer = TTLVFrameDecoder()
        var received: [[UInt8]] = []
        var offset = 0
        var size = 1
        while offset < stream.count {
            let end = min(stream.count, offset + size)
            framer.append(stream[offset..<end])
            while let message = try framer.nextMessage() { received.append(message) }
            offset = end
            size = size * 3 % 97 + 1
        }
        #expect(received == messages)
    }

    @Test("nothing before the header is complete, nothing before the body is")
    func partial() throws {
        let message = try bytes(hex: "4200780100000010 42006A0200000004 0000000100000000")
        var framer = TTLVFrameDecoder()
        framer.append(message[0..<7])
        #expect(try framer.nextMessage() == nil)
        framer.append(message[7..<23])
        #expect(try framer.nextMessage() == nil)
        #expect(framer.bufferedByteCount == 23)
        framer.append(message[23...])
        #expect(try framer.nextMessage() == message)
    }

    @Test("a huge length is refused from the header alone, and the refusal sticks")
    func hugeLength() throws {
        var framer = TTLVFrameDecoder(maximumMessageSize: 1 << 20)
        framer.append(try bytes(hex: "42007801FFFFFFF0"))
        let error = try #require(throws: KMIPError.self) { try framer.nextMessage() }
        #expect(error.code == .limitExceeded)
        #expect(error.byteOffset == 4)
        framer.append([0, 0, 0, 0])
        #expect(throws: KMIPError.self) { try framer.nextMessage() }
    }

    @Test("a message must be a Structure")
    func notAStructure() throws {
        var framer = TTLVFrameDecoder()
        framer.append(try bytes(hex: "42006A0200000004 0000000100000000"))
        let error = try #require(throws: KMIPError.self) { try framer.nextMessage() }
        #expect(error.code == .malformedInput)
    }
}
