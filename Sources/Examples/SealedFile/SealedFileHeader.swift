// swift-kmip: SealedFile
//
// The header of a sealed file (docs/SealedFileFormat.md).

import Crypto
import Foundation

/// What a sealed file says about itself: which key on which KMIP server opens it, how its body is
/// cut, and what was captured. Bound as associated data to every chunk of the body.
public struct SealedFileHeader: Hashable, Sendable {
    /// The magic bytes that start every sealed file.
    public static let magic: [UInt8] = Array("KMIPSEAL".utf8)
    /// The format version this library writes and reads.
    public static let formatVersion: UInt8 = 1
    /// The only algorithm of format version 1: AES-256-GCM chunks under an HKDF-SHA256 subkey.
    public static let algorithmAES256GCMHKDFSHA256: UInt8 = 1
    /// The default plaintext bytes per chunk (64 KiB).
    public static let defaultChunkSize: UInt32 = 65_536
    /// The largest chunk size a reader accepts (bounds the memory one chunk may take).
    public static let maximumChunkSize: UInt32 = 16 << 20
    /// The largest header a reader accepts, in bytes from the start of the file: reading this
    /// many is always enough to read the header.
    public static let maximumLength = 65_536

    /// The KMIP server that holds the key (for example `kmip.example.com:5696`).
    public var serverIdentity: String
    /// The key's Unique Identifier on that server.
    public var keyIdentifier: String
    /// The algorithm identifier (``algorithmAES256GCMHKDFSHA256``).
    public var algorithm: UInt8
    /// Plaintext bytes per chunk; the last chunk may be shorter (or empty).
    public var chunkSize: UInt32
    /// The per-file HKDF salt (32 random bytes).
    public var salt: [UInt8]
    /// The per-file nonce prefix (7 random bytes) of every chunk nonce.
    public var noncePrefix: [UInt8]
    /// Derived from the key and the salt: tells a wrong key apart from a damaged file.
    public var keyCommitment: [UInt8]
    /// Capture metadata (for example `captured`, `duration`, `source`, `name`), in the clear.
    public var metadata: [String: String]

    /// Creates a header (the salt, nonce prefix and commitment are set by the sealer).
    public init(
        serverIdentity: String, keyIdentifier: String, chunkSize: UInt32 = defaultChunkSize, metadata: [String: String] = [:]
    ) {
        self.serverIdentity = serverIdentity
        self.keyIdentifier = keyIdentifier
        self.algorithm = Self.algorithmAES256GCMHKDFSHA256
        self.chunkSize = chunkSize
        self.salt = []
        self.noncePrefix = []
        self.keyCommitment = []
        self.metadata = metadata
    }

    // MARK: - Encoding

    /// The header's bytes: magic, then a big-endian length of what follows, then the fields, then
    /// a SHA-256 checksum of everything before it.
    public func encoded() throws -> [UInt8] {
        var body: [UInt8] = [Self.formatVersion, algorithm]
        appendUInt32(chunkSize, to: &body)
        body += salt
        body += noncePrefix
        body += keyCommitment
        try appendString(serverIdentity, field: "server identity", to: &body)
        try appendString(keyIdentifier, field: "key identifier", to: &body)
        let metadataJSON = try JSONSerialization.data(withJSONObject: metadata, options: [.sortedKeys, .withoutEscapingSlashes])
        try appendString(String(decoding: metadataJSON, as: UTF8.self), field: "metadata", to: &body)
        var bytes = Self.magic
        appendUInt32(UInt32(body.count + 32), to: &bytes)
        bytes += body
        bytes += Array(SHA256.hash(data: bytes))
        guard bytes.count <= Self.maximumLength else {
            throw SealedFileError.headerTooLong(bytes.count)
        }
        return bytes
    }

    /// Reads a header from `bytes`, which hold exactly the header.
    init(decoding bytes: [UInt8]) throws {
        var reader = ByteReader(bytes: bytes)
        guard try reader.read(8) == Self.magic else { throw SealedFileError.notASealedFile }
        _ = try reader.readUInt32()
        let checksum = Array(SHA256.hash(data: bytes.dropLast(32)))
        guard checksum == Array(bytes.suffix(32)) else { throw SealedFileError.headerDamaged("its checksum does not match") }
        let version = try reader.readByte()
        guard version == Self.formatVersion else { throw SealedFileError.unsupportedVersion(version) }
        algorithm = try reader.readByte()
        guard algorithm == Self.algorithmAES256GCMHKDFSHA256 else { throw SealedFileError.unsupportedAlgorithm(algorithm) }
        chunkSize = try reader.readUInt32()
        guard chunkSize > 0, chunkSize <= Self.maximumChunkSize else {
            throw SealedFileError.headerDamaged("chunk size \(chunkSize) is outside 1...\(Self.maximumChunkSize)")
        }
        salt = try reader.read(32)
        noncePrefix = try reader.read(7)
        keyCommitment = try reader.read(32)
        serverIdentity = try reader.readString(field: "server identity")
        keyIdentifier = try reader.readString(field: "key identifier")
        let metadataText = try reader.readString(field: "metadata")
        guard let object = try? JSONSerialization.jsonObject(with: Data(metadataText.utf8)) as? [String: String] else {
            throw SealedFileError.headerDamaged("its metadata is not a JSON object of strings")
        }
        metadata = object
        guard reader.remaining == 32 else { throw SealedFileError.headerDamaged("it has \(reader.remaining - 32) unexpected bytes") }
    }

    private func appendUInt32(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes += [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    private func appendString(_ text: String, field: String, to bytes: inout [UInt8]) throws {
        let utf8 = Array(text.utf8)
        guard utf8.count <= UInt16.max else { throw SealedFileError.headerTooLong(utf8.count) }
        bytes += [UInt8(utf8.count >> 8), UInt8(truncatingIfNeeded: utf8.count)]
        bytes += utf8
    }
}

/// Reads big-endian fields, failing with the offset when the bytes run out.
struct ByteReader {
    let bytes: [UInt8]
    var offset = 0

    var remaining: Int { bytes.count - offset }

    mutating func read(_ count: Int) throws -> [UInt8] {
        guard count <= remaining else { throw SealedFileError.headerDamaged("it ends at byte \(bytes.count), inside a field at \(offset)") }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func readByte() throws -> UInt8 { try read(1)[0] }

    mutating func readUInt32() throws -> UInt32 {
        try read(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func readString(field: String) throws -> String {
        let length = try read(2).reduce(0) { $0 << 8 | Int($1) }
        guard let text = String(validating: try read(length), as: UTF8.self) else {
            throw SealedFileError.headerDamaged("its \(field) is not UTF-8")
        }
        return text
    }
}
