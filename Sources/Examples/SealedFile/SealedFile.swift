// swift-kmip: SealedFile
//
// Sealing and opening files in chunks, in constant memory (docs/SealedFileFormat.md).

import Crypto
import Foundation

/// Why a sealed file cannot be opened (or sealed). Each way a file can be broken has its own case.
public enum SealedFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The input does not start with the sealed-file magic.
    case notASealedFile
    /// A format version this library does not read.
    case unsupportedVersion(UInt8)
    /// An algorithm this library does not know.
    case unsupportedAlgorithm(UInt8)
    /// The header is damaged (the reason says how).
    case headerDamaged(String)
    /// The header would be longer than readers accept.
    case headerTooLong(Int)
    /// The KMIP key has a length the format does not take (16 or 32 bytes).
    case unsupportedKeyLength(Int)
    /// The key given is not the key the file was sealed with.
    case wrongKey(keyIdentifier: String)
    /// Chunk `index` (starting at byte `offset`) fails authentication: its bytes were changed.
    case chunkDamaged(index: Int, offset: Int)
    /// The file's last record, chunk `index` at byte `offset`, fails authentication: it was
    /// changed, or the file was cut or extended inside it (which cannot be told apart).
    case finalChunkDamaged(index: Int, offset: Int)
    /// At position `position` there is the chunk sealed as number `found` (an earlier one): the chunks were reordered.
    case chunkOutOfOrder(position: Int, found: Int)
    /// At position `position` there is chunk `found` (a later one): the chunks in between are missing.
    case chunksMissing(position: Int, found: Int)
    /// The file ends after `chunks` chunks without its final chunk.
    case truncated(chunks: Int)
    /// There are bytes after the final chunk, from `offset`.
    case dataAfterFinalChunk(offset: Int)
    /// The input is longer than the format can count (2^32 - 1 chunks).
    case tooLong
    /// Reading or writing failed.
    case io(String)
    /// A byte range or chunk index outside the file (the reason says which).
    case invalidRange(String)

    public var description: String {
        switch self {
        case .notASealedFile: "not a sealed file (no KMIPSEAL magic)"
        case .unsupportedVersion(let version): "sealed-file format version \(version) is not supported (this reader knows version \(SealedFileHeader.formatVersion))"
        case .unsupportedAlgorithm(let algorithm): "sealed-file algorithm \(algorithm) is not supported"
        case .headerDamaged(let reason): "the sealed file's header is damaged: \(reason)"
        case .headerTooLong(let length): "a sealed-file header of \(length) bytes is too long"
        case .unsupportedKeyLength(let length): "a \(length * 8)-bit key cannot seal files (128 or 256 bits)"
        case .wrongKey(let id): "the key given is not the key '\(id)' this file was sealed with"
        case .chunkDamaged(let index, let offset): "chunk \(index) (at byte \(offset)) fails authentication: the file was changed"
        case .finalChunkDamaged(let index, let offset): "the last chunk, \(index) (at byte \(offset)), fails authentication: the file was changed, or cut or extended inside that chunk"
        case .chunkOutOfOrder(let position, let found): "chunk \(found) is at position \(position): the chunks were reordered"
        case .chunksMissing(let position, let found): "chunk \(found) is at position \(position): chunks \(position)..<\(found) are missing"
        case .truncated(let chunks): "the file ends after \(chunks) chunks without its final chunk: it was truncated"
        case .dataAfterFinalChunk(let offset): "there are bytes after the final chunk, from byte \(offset)"
        case .tooLong: "the input is too long for one sealed file"
        case .io(let reason): reason
        case .invalidRange(let reason): reason
        }
    }
}

/// Where the opener reads from.
public protocol SealedFileSource {
    /// Up to `count` bytes; fewer only at the end, none at the end.
    mutating func read(upTo count: Int) throws -> [UInt8]
}

/// A source over bytes in memory.
public struct BytesSource: SealedFileSource {
    private let bytes: [UInt8]
    private var offset = 0
    /// A source reading `bytes`.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public mutating func read(upTo count: Int) throws -> [UInt8] {
        let end = min(bytes.count, offset + count)
        defer { offset = end }
        return Array(bytes[offset..<end])
    }
}

/// A source reading a file handle (a file, a pipe, a socket) until its end.
public struct FileHandleSource: SealedFileSource {
    private let handle: FileHandle
    /// A source reading `handle`.
    public init(_ handle: FileHandle) { self.handle = handle }
    public mutating func read(upTo count: Int) throws -> [UInt8] {
        var result: [UInt8] = []
        while result.count < count {
            let data: Data?
            do { data = try handle.read(upToCount: count - result.count) } catch { throw SealedFileError.io("read failed: \(error.localizedDescription)") }
            guard let data, !data.isEmpty else { break }
            result += data
        }
        return result
    }
}

/// The keys of one file: the AES-256-GCM subkey and the key-commitment value.
struct FileKeys {
    let subkey: SymmetricKey
    let commitment: [UInt8]

    static let info = Array("swift-kmip sealed file v1".utf8)

    init(kmipKey: [UInt8], salt: [UInt8]) throws {
        guard kmipKey.count == 16 || kmipKey.count == 32 else { throw SealedFileError.unsupportedKeyLength(kmipKey.count) }
        let derived = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: kmipKey), salt: salt, info: Self.info, outputByteCount: 64)
        let bytes = derived.withUnsafeBytes { Array($0) }
        subkey = SymmetricKey(data: bytes[0..<32])
        commitment = Array(bytes[32..<64])
    }
}

/// The nonce of chunk `index`: the file's 7-byte prefix, the index (4 bytes, big-endian) and the
/// last-chunk flag (1 byte).
func chunkNonce(prefix: [UInt8], index: Int, last: Bool) throws -> AES.GCM.Nonce {
    let counter = UInt32(index)
    return try AES.GCM.Nonce(data: prefix + [UInt8(counter >> 24), UInt8(truncatingIfNeeded: counter >> 16), UInt8(truncatingIfNeeded: counter >> 8), UInt8(truncatingIfNeeded: counter), last ? 1 : 0])
}

/// Seals a stream: write plaintext in pieces of any size, then ``finish()``. Holds at most one
/// chunk in memory.
///
/// ```swift
/// let sealer = try SealedFileWriter(header: header, key: keyBytes) { try output.write(contentsOf: $0) }
/// try sealer.write(clipBytes)
/// try sealer.finish()
/// ```
///
/// The output closure gets the header, then each chunk's record (ciphertext and tag), as `Data`
/// that it may keep; a record is handed over without being copied.
public final class SealedFileWriter {
    /// The header as written (salt, nonce prefix and commitment filled in).
    public let header: SealedFileHeader
    private let headerBytes: [UInt8]
    private let keys: FileKeys
    private let chunkSize: Int
    private let output: (Data) throws -> Void
    private var pending: [UInt8] = []
    private var index = 0
    private var finished = false
    /// Bytes written to the output so far.
    public private(set) var bytesWritten = 0

    /// Starts a sealed file: derives the file's keys from `key` (the KMIP key's 16 or 32 bytes)
    /// and writes the header to `output`.
    public convenience init(header: SealedFileHeader, key: [UInt8], output: @escaping (Data) throws -> Void) throws {
        try self.init(
            header: header, key: key, salt: SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) },
            noncePrefix: Array(SymmetricKey(size: .bits128).withUnsafeBytes { Array($0) }.prefix(7)), output: output)
    }

    /// Starts a sealed file with a chosen salt and nonce prefix: for test vectors only (a salt
    /// must never repeat under one key).
    package init(header: SealedFileHeader, key: [UInt8], salt: [UInt8], noncePrefix: [UInt8], output: @escaping (Data) throws -> Void) throws {
        precondition(salt.count == 32 && noncePrefix.count == 7)
        var header = header
        header.salt = salt
        header.noncePrefix = noncePrefix
        guard header.chunkSize > 0, header.chunkSize <= SealedFileHeader.maximumChunkSize else {
            throw SealedFileError.headerDamaged("chunk size \(header.chunkSize) is outside 1...\(SealedFileHeader.maximumChunkSize)")
        }
        keys = try FileKeys(kmipKey: key, salt: header.salt)
        header.keyCommitment = keys.commitment
        self.header = header
        self.headerBytes = try header.encoded()
        self.chunkSize = Int(header.chunkSize)
        self.output = output
        pending.reserveCapacity(chunkSize)
        try emit(Data(headerBytes))
    }

    /// Seals the next plaintext bytes.
    public func write(_ bytes: some Collection<UInt8>) throws {
        precondition(!finished, "write after finish")
        let done: Void? = try bytes.withContiguousStorageIfAvailable { try write(UnsafeRawBufferPointer($0)) }
        if done == nil { try Array(bytes).withUnsafeBytes { try write($0) } }
    }

    private func write(_ bytes: UnsafeRawBufferPointer) throws {
        var rest = bytes[...]
        while !rest.isEmpty {
            if pending.count == chunkSize {
                // More data follows, so the pending chunk is not the last.
                try seal(pending, last: false)
                pending.removeAll(keepingCapacity: true)
            }
            if pending.isEmpty, rest.count > chunkSize {
                // A whole chunk with more after it: sealed straight from the caller's bytes.
                try seal(UnsafeRawBufferPointer(rebasing: rest.prefix(chunkSize)), last: false)
                rest = rest.dropFirst(chunkSize)
                continue
            }
            let take = rest.prefix(chunkSize - pending.count)
            pending.append(contentsOf: take)
            rest = rest.dropFirst(take.count)
        }
    }

    /// Seals the final chunk (the pending bytes, possibly none).
    public func finish() throws {
        precondition(!finished, "finish twice")
        try seal(pending, last: true)
        pending.removeAll()
        finished = true
    }

    private func seal(_ plaintext: some DataProtocol, last: Bool) throws {
        guard index < Int(UInt32.max) else { throw SealedFileError.tooLong }
        let nonce = try chunkNonce(prefix: header.noncePrefix, index: index, last: last)
        let box = try AES.GCM.seal(plaintext, using: keys.subkey, nonce: nonce, authenticating: headerBytes)
        // The combined form is nonce, ciphertext, tag: the record is all but the nonce.
        guard let combined = box.combined else { throw SealedFileError.headerDamaged("a nonce of other than 12 bytes") }
        try emit(combined.dropFirst(12))
        index += 1
    }

    private func emit(_ bytes: Data) throws {
        try output(bytes)
        bytesWritten += bytes.count
    }
}

/// Opens a sealed file chunk by chunk, handing out each chunk's plaintext only after it
/// authenticates.
public enum SealedFileReader {
    /// Reads the header at the start of `source`: who holds the key, and which key.
    public static func readHeader(from source: inout some SealedFileSource) throws -> (header: SealedFileHeader, bytes: [UInt8]) {
        let start = try source.read(upTo: 12)
        guard start.count >= 8, Array(start.prefix(8)) == SealedFileHeader.magic else { throw SealedFileError.notASealedFile }
        guard start.count == 12 else { throw SealedFileError.headerDamaged("the file ends inside the header") }
        let length = Int(start[8...].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        guard length >= 32, length + 12 <= SealedFileHeader.maximumLength else {
            throw SealedFileError.headerDamaged("a header length of \(length) bytes")
        }
        let rest = try source.read(upTo: length)
        guard rest.count == length else { throw SealedFileError.headerDamaged("the file ends inside the header") }
        let bytes = start + rest
        return (try SealedFileHeader(decoding: bytes), bytes)
    }

    /// Reads the header of `source` and then opens its body with `key`, calling `output` with
    /// every authenticated chunk's plaintext, in order.
    ///
    /// - Returns: the header.
    @discardableResult
    public static func open(
        _ source: inout some SealedFileSource, key: [UInt8], output: ([UInt8]) throws -> Void
    ) throws -> SealedFileHeader {
        let (header, headerBytes) = try readHeader(from: &source)
        try openBody(&source, header: header, headerBytes: headerBytes, key: key, output: output)
        return header
    }

    /// Opens the body that follows a header read by ``readHeader(from:)``.
    public static func openBody(
        _ source: inout some SealedFileSource, header: SealedFileHeader, headerBytes: [UInt8], key: [UInt8],
        output: ([UInt8]) throws -> Void
    ) throws {
        let keys = try FileKeys(kmipKey: key, salt: header.salt)
        guard keys.commitment == header.keyCommitment else { throw SealedFileError.wrongKey(keyIdentifier: header.keyIdentifier) }
        let recordSize = Int(header.chunkSize) + 16
        var offset = headerBytes.count
        var index = 0
        var current = try source.read(upTo: recordSize)
        while true {
            // A full record followed by more bytes is not the last; anything else is.
            var next: [UInt8] = []
            if current.count == recordSize { next = try source.read(upTo: recordSize) }
            let last = next.isEmpty
            guard current.count >= 16 else {
                throw SealedFileError.truncated(chunks: index)
            }
            let box = try AES.GCM.SealedBox(
                nonce: try chunkNonce(prefix: header.noncePrefix, index: index, last: last),
                ciphertext: current.dropLast(16), tag: current.suffix(16))
            let plaintext: [UInt8]
            do {
                plaintext = Array(try AES.GCM.open(box, using: keys.subkey, authenticating: headerBytes))
            } catch {
                throw diagnose(current, index: index, offset: offset, last: last, keys: keys, header: header, headerBytes: headerBytes)
            }
            try output(plaintext)
            if last { return }
            offset += current.count
            index += 1
            guard index < Int(UInt32.max) else { throw SealedFileError.tooLong }
            current = next
        }
    }

    /// Why chunk `index` does not authenticate: it belongs elsewhere, the file was cut or
    /// extended, or its bytes were changed.
    static func diagnose(
        _ record: [UInt8], index: Int, offset: Int, last: Bool, keys: FileKeys, header: SealedFileHeader, headerBytes: [UInt8]
    ) -> SealedFileError {
        func opens(_ candidate: Int, _ flag: Bool) -> Bool {
            guard candidate >= 0, candidate < Int(UInt32.max),
                let nonce = try? chunkNonce(prefix: header.noncePrefix, index: candidate, last: flag),
                let box = try? AES.GCM.SealedBox(nonce: nonce, ciphertext: record.dropLast(16), tag: record.suffix(16))
            else { return false }
            return (try? AES.GCM.open(box, using: keys.subkey, authenticating: headerBytes)) != nil
        }
        if last && opens(index, false) { return .truncated(chunks: index + 1) }
        if !last && opens(index, true) { return .dataAfterFinalChunk(offset: offset + record.count) }
        // Look for the chunk's true place nearby, spending at most about 64 MiB of decryption on
        // it (a damaged file must not cost the reader more than that).
        let reach = max(2, min(256, (64 << 20) / max(1, record.count) / 4))
        for candidate in max(0, index - reach)..<(index + reach) where candidate != index {
            if opens(candidate, false) || opens(candidate, true) {
                return candidate < index ? .chunkOutOfOrder(position: index, found: candidate) : .chunksMissing(position: index, found: candidate)
            }
        }
        return last ? .finalChunkDamaged(index: index, offset: offset) : .chunkDamaged(index: index, offset: offset)
    }
}
