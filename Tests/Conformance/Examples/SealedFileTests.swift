// The sealed-file format: round trips of every size around the chunk boundaries, and one test
// per way of breaking a file, each rejected with its own error.

import Crypto
import Foundation
import KMIPTTLV
import SealedFile
import Testing

private let key256 = Array(0..<32).map { UInt8($0) }
private let key128 = Array(100..<116).map { UInt8($0) }

private func seal(_ plaintext: [UInt8], key: [UInt8] = key256, chunkSize: UInt32 = 64, metadata: [String: String] = ["source": "test"]) throws -> [UInt8] {
    var sealed: [UInt8] = []
    let writer = try SealedFileWriter(
        header: SealedFileHeader(serverIdentity: "127.0.0.1:5696", keyIdentifier: "key-1", chunkSize: chunkSize, metadata: metadata),
        key: key) { sealed += $0 }
    // Feed it in uneven pieces, as a pipe would.
    var rest = plaintext[...]
    var piece = 1
    while !rest.isEmpty {
        try writer.write(rest.prefix(piece))
        rest = rest.dropFirst(piece)
        piece = piece * 3 % 97 + 1
    }
    try writer.finish()
    #expect(writer.bytesWritten == sealed.count)
    return sealed
}

private func open(_ sealed: [UInt8], key: [UInt8] = key256) throws -> (SealedFileHeader, [UInt8]) {
    var source = BytesSource(sealed)
    var plaintext: [UInt8] = []
    let header = try SealedFileReader.open(&source, key: key) { plaintext += $0 }
    return (header, plaintext)
}

/// The offset of the body (the header's length) of a sealed file.
private func bodyOffset(_ sealed: [UInt8]) throws -> Int {
    var source = BytesSource(sealed)
    return try SealedFileReader.readHeader(from: &source).bytes.count
}

@Suite("Sealed files")
struct SealedFileTests {
    @Test("seal then open gives the plaintext back, for sizes around the chunk boundaries and both key lengths",
          arguments: [0, 1, 63, 64, 65, 127, 128, 129, 1000])
    func roundTrip(_ size: Int) throws {
        let plaintext = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for key in [key256, key128] {
            let sealed = try seal(plaintext, key: key)
            let chunks = max(1, (size + 63) / 64)  // a full last chunk carries the last flag itself
            let headerLength = try bodyOffset(sealed)
            #expect(sealed.count == headerLength + size + chunks * 16)
            let (header, opened) = try open(sealed, key: key)
            #expect(opened == plaintext)
            #expect(header.keyIdentifier == "key-1" && header.serverIdentity == "127.0.0.1:5696" && header.metadata == ["source": "test"])
            #expect(header.chunkSize == 64)
        }
    }

    @Test("how the plaintext is cut into writes does not change the sealed bytes (whole chunks sealed straight from a large write, pieces gathered from small ones)",
          arguments: [63, 64, 65, 640, 1000])
    func writesOfAnySize(_ size: Int) throws {
        let plaintext = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 5) }
        let header = SealedFileHeader(serverIdentity: "s", keyIdentifier: "k", chunkSize: 64)
        func sealed(_ pieces: [ArraySlice<UInt8>]) throws -> [UInt8] {
            var output: [UInt8] = []
            let writer = try SealedFileWriter(
                header: header, key: key256, salt: Array(repeating: 9, count: 32), noncePrefix: Array(repeating: 3, count: 7)) { output += $0 }
            for piece in pieces { try writer.write(piece) }
            try writer.finish()
            return output
        }
        let whole = try sealed([plaintext[...]])
        #expect(try sealed(plaintext.indices.map { plaintext[$0...$0] }) == whole)
        #expect(try sealed([plaintext.prefix(10), plaintext.dropFirst(10)]) == whole)
        // The same through the collection path (not contiguous storage).
        var viaSequence: [UInt8] = []
        let writer = try SealedFileWriter(
            header: header, key: key256, salt: Array(repeating: 9, count: 32), noncePrefix: Array(repeating: 3, count: 7)) { viaSequence += $0 }
        try writer.write(plaintext.lazy.map { $0 })
        try writer.finish()
        #expect(viaSequence == whole)
        #expect(try open(whole, key: key256).1 == plaintext)
    }

    @Test("the same plaintext sealed twice differs (fresh salt and nonce prefix per file)")
    func freshPerFile() throws {
        let plaintext = Array(repeating: UInt8(7), count: 200)
        #expect(try seal(plaintext) != seal(plaintext))
    }

    @Test("a wrong key is told apart from a damaged file")
    func wrongKey() throws {
        let sealed = try seal(Array(repeating: 1, count: 100))
        var other = key256
        other[0] ^= 1
        #expect(throws: SealedFileError.wrongKey(keyIdentifier: "key-1")) { try open(sealed, key: other) }
        #expect(throws: SealedFileError.unsupportedKeyLength(24)) { try open(sealed, key: Array(repeating: 0, count: 24)) }
    }

    @Test("a flipped bit in a chunk fails that chunk, and no plaintext of it is released")
    func flippedBodyBit() throws {
        let plaintext = (0..<300).map { UInt8(truncatingIfNeeded: $0) }
        var sealed = try seal(plaintext)
        let body = try bodyOffset(sealed)
        sealed[body + 80 * 2 + 5] ^= 0x10  // inside chunk 2 (records are 64 + 16 bytes)
        var source = BytesSource(sealed)
        var released: [UInt8] = []
        #expect(throws: SealedFileError.chunkDamaged(index: 2, offset: body + 160)) {
            try SealedFileReader.open(&source, key: key256) { released += $0 }
        }
        #expect(released == Array(plaintext.prefix(128)))
    }

    @Test("a flipped bit in the header is caught by its checksum; a recomputed checksum still fails every chunk")
    func flippedHeaderBit() throws {
        var sealed = try seal(Array(repeating: 9, count: 100))
        let body = try bodyOffset(sealed)
        var changed = sealed
        changed[body - 40] ^= 1  // in the metadata, before the checksum
        #expect(throws: SealedFileError.headerDamaged("its checksum does not match")) { try open(changed, key: key256) }

        // Change the metadata and fix the checksum, as an attacker could: the header is bound to
        // every chunk, so the first chunk fails.
        var source = BytesSource(sealed)
        var header = try SealedFileReader.readHeader(from: &source).header
        header.metadata["source"] = "fake"
        let forged = try header.encoded()
        sealed = forged + sealed[body...]
        #expect(throws: SealedFileError.chunkDamaged(index: 0, offset: forged.count)) { try open(sealed, key: key256) }
    }

    @Test("reordered chunks")
    func reordered() throws {
        let sealed = try seal((0..<300).map { UInt8(truncatingIfNeeded: $0) })
        let body = try bodyOffset(sealed)
        var swapped = sealed
        swapped.replaceSubrange(body + 80..<body + 160, with: sealed[body + 160..<body + 240])
        swapped.replaceSubrange(body + 160..<body + 240, with: sealed[body + 80..<body + 160])
        #expect(throws: SealedFileError.chunksMissing(position: 1, found: 2)) { try open(swapped, key: key256) }
        var back = sealed
        back.replaceSubrange(body + 80..<body + 160, with: sealed[body..<body + 80])
        #expect(throws: SealedFileError.chunkOutOfOrder(position: 1, found: 0)) { try open(back, key: key256) }
    }

    @Test("a missing chunk")
    func missingChunk() throws {
        var sealed = try seal((0..<300).map { UInt8(truncatingIfNeeded: $0) })
        let body = try bodyOffset(sealed)
        sealed.removeSubrange(body + 80..<body + 160)
        #expect(throws: SealedFileError.chunksMissing(position: 1, found: 2)) { try open(sealed, key: key256) }
    }

    @Test("truncated at a chunk boundary, inside a chunk, and to the header alone")
    func truncated() throws {
        let sealed = try seal((0..<300).map { UInt8(truncatingIfNeeded: $0) })
        let body = try bodyOffset(sealed)
        #expect(throws: SealedFileError.truncated(chunks: 2)) { try open(Array(sealed.prefix(body + 160)), key: key256) }
        #expect(throws: SealedFileError.truncated(chunks: 0)) { try open(Array(sealed.prefix(body)), key: key256) }
        #expect(throws: SealedFileError.truncated(chunks: 1)) { try open(Array(sealed.prefix(body + 80 + 10)), key: key256) }
        // Cut inside a record with more than a tag's worth left: the last record fails, as it would if changed.
        #expect(throws: SealedFileError.finalChunkDamaged(index: 1, offset: body + 80)) { try open(Array(sealed.prefix(body + 80 + 40)), key: key256) }
        #expect(throws: SealedFileError.headerDamaged("the file ends inside the header")) { try open(Array(sealed.prefix(body - 1)), key: key256) }
    }

    @Test("bytes after the final chunk")
    func appended() throws {
        let sealed = try seal(Array(repeating: 3, count: 64))
        let chunk = try seal(Array(repeating: 3, count: 10))
        #expect(throws: SealedFileError.dataAfterFinalChunk(offset: sealed.count)) { try open(sealed + Array(chunk.suffix(80)), key: key256) }
        #expect(throws: SealedFileError.dataAfterFinalChunk(offset: sealed.count)) { try open(sealed + sealed.suffix(80), key: key256) }
        // After a short final chunk, the bytes added join its record, which then fails as a whole.
        let short = try seal(Array(repeating: 3, count: 10))
        let shortBody = try bodyOffset(short)
        #expect(throws: SealedFileError.finalChunkDamaged(index: 0, offset: shortBody)) { try open(short + [1, 2, 3], key: key256) }
    }

    @Test("not a sealed file, other versions and algorithms, bad chunk sizes and header lengths")
    func notSealed() throws {
        #expect(throws: SealedFileError.notASealedFile) { try open(Array("ftyp isom".utf8), key: key256) }
        let sealed = try seal([1, 2, 3])
        let body = try bodyOffset(sealed)
        /// The file with header byte `index` set to `value` and the checksum made right again.
        func changed(_ index: Int, _ value: UInt8) -> [UInt8] {
            var header = Array(sealed[..<body])
            header[index] = value
            header.replaceSubrange((body - 32)..<body, with: Array(SHA256.hash(data: header[..<(body - 32)])))
            return header + sealed[body...]
        }
        var broken = sealed
        broken[12] = 2
        #expect(throws: SealedFileError.headerDamaged("its checksum does not match")) { try open(broken, key: key256) }
        #expect(throws: SealedFileError.unsupportedVersion(2)) { try open(changed(12, 2), key: key256) }
        #expect(throws: SealedFileError.unsupportedAlgorithm(9)) { try open(changed(13, 9), key: key256) }
        #expect(throws: SealedFileError.headerDamaged("chunk size 0 is outside 1...16777216")) {
            try open(changed(17, 0), key: key256)  // the chunk size's low byte: 64 -> 0
        }
        // A length field that would make the reader allocate without bound.
        var huge = sealed
        huge.replaceSubrange(8..<12, with: [0x7F, 0xFF, 0xFF, 0xFF])
        #expect(throws: SealedFileError.headerDamaged("a header length of 2147483647 bytes")) { try open(huge, key: key256) }
    }
}

@Suite("Sealed files: the documented test vector")
struct SealedFileVectorTests {
    /// `Vectors/sealed-file/vector-1.txt`, made from docs/SealedFileFormat.md by an independent
    /// implementation (scripts/sealed-file-vector.py, Python's cryptography).
    static func vector() throws -> [String: String] {
        var fields: [String: String] = [:]
        for line in try Repository.text("Vectors/sealed-file/vector-1.txt").split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: "\t", maxSplits: 1)
            if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
        }
        return fields
    }

    @Test("sealing the vector's plaintext with its salt and nonce prefix gives its bytes; opening them gives the plaintext")
    func vector1() throws {
        let vector = try Self.vector()
        func field(_ name: String) throws -> String { try #require(vector[name], "vector-1.txt has no \(name)") }
        let key = try bytes(hex: try field("key"))
        let expected = try bytes(hex: try field("sealed"))
        let plaintext = try bytes(hex: try field("plaintext"))
        let metadata = try #require(try JSONSerialization.jsonObject(with: Data(try field("metadata").utf8)) as? [String: String])
        let chunkSize = try #require(UInt32(try field("chunk-size")))
        var sealed: [UInt8] = []
        let writer = try SealedFileWriter(
            header: SealedFileHeader(serverIdentity: try field("server"), keyIdentifier: try field("key-identifier"), chunkSize: chunkSize, metadata: metadata),
            key: key, salt: try bytes(hex: try field("salt")), noncePrefix: try bytes(hex: try field("nonce-prefix"))
        ) { sealed += $0 }
        try writer.write(plaintext)
        try writer.finish()
        #expect(Hex.encode(sealed) == Hex.encode(expected))

        var source = BytesSource(expected)
        var opened: [UInt8] = []
        let header = try SealedFileReader.open(&source, key: key) { opened += $0 }
        #expect(opened == plaintext)
        #expect(header.metadata == metadata)
    }
}
