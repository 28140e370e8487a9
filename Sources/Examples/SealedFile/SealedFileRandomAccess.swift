// swift-kmip: SealedFile
//
// Opening any byte range of a sealed file, decrypting only the chunks that cover it
// (docs/SealedFileFormat.md, "Random access"). What a video player needs to seek.

import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where a random-access opener reads from: bytes whose total size is known up front.
public protocol SealedFileRandomAccessSource {
    /// The total number of bytes.
    var size: Int { get }
    /// Up to `count` bytes from `offset`; fewer only at the end.
    func read(at offset: Int, count: Int) throws -> [UInt8]
}

/// A sealed file in memory, for random access.
public struct BytesRandomAccessSource: SealedFileRandomAccessSource, Sendable {
    private let bytes: [UInt8]
    /// A source over `bytes`.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public var size: Int { bytes.count }
    public func read(at offset: Int, count: Int) throws -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= bytes.count else { return [] }
        return Array(bytes[offset..<min(bytes.count, offset + count)])
    }
}

/// A sealed file on disk, for random access (positioned reads, so one source may serve
/// concurrent readers). The file is closed when the source goes away.
public final class FileRandomAccessSource: SealedFileRandomAccessSource, @unchecked Sendable {
    // Immutable after init; pread does not move a shared offset.
    private let descriptor: Int32
    /// The file's size when it was opened.
    public let size: Int

    /// Opens `path` for reading.
    public init(path: String) throws {
        let descriptor = Foundation.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SealedFileError.io("cannot open \(path): \(String(cString: strerror(errno)))") }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw SealedFileError.io("cannot read the size of \(path): \(reason)")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw SealedFileError.io("\(path) is not a regular file")
        }
        self.descriptor = descriptor
        self.size = Int(status.st_size)
    }

    deinit { close(descriptor) }

    public func read(at offset: Int, count: Int) throws -> [UInt8] {
        guard offset >= 0, count > 0 else { return [] }
        var result = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = result.withUnsafeMutableBytes { buffer in
                pread(descriptor, buffer.baseAddress! + filled, count - filled, off_t(offset + filled))
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw SealedFileError.io("read failed: \(String(cString: strerror(errno)))")
            }
            if got == 0 { break }
            filled += got
        }
        result.removeLast(count - filled)
        return result
    }
}

/// Opens byte ranges of a sealed file's plaintext, decrypting only the chunks that cover each
/// range.
///
/// Opening reads the header, checks the key against its commitment and authenticates the final
/// chunk with its last-chunk flag, so the plaintext size it reports is the file's true size (a
/// file cut or extended at a chunk boundary fails here, with the same errors as
/// ``SealedFileReader``). Every chunk is authenticated before any of its plaintext is handed out.
public struct SealedFileRandomAccessReader<Source: SealedFileRandomAccessSource> {
    /// The file's header.
    public let header: SealedFileHeader
    /// The plaintext's size in bytes.
    public let plaintextSize: Int
    /// The number of chunks in the body.
    public let chunkCount: Int

    private let source: Source
    private let headerBytes: [UInt8]
    private let keys: FileKeys
    private let chunkSize: Int

    /// Reads the header of `source`, checks `key` (the KMIP key's 16 or 32 bytes) against it and
    /// authenticates the final chunk.
    public init(source: Source, key: [UInt8]) throws {
        let (header, headerBytes) = try SealedFileReader.readHeader(of: source)
        let keys = try FileKeys(kmipKey: key, salt: header.salt)
        guard keys.commitment == header.keyCommitment else { throw SealedFileError.wrongKey(keyIdentifier: header.keyIdentifier) }
        self.source = source
        self.header = header
        self.headerBytes = headerBytes
        self.keys = keys
        self.chunkSize = Int(header.chunkSize)

        let recordSize = chunkSize + 16
        let bodySize = source.size - headerBytes.count
        guard bodySize > 0 else { throw SealedFileError.truncated(chunks: 0) }
        let count = (bodySize + recordSize - 1) / recordSize
        guard count < Int(UInt32.max) else { throw SealedFileError.tooLong }
        let lastRecordSize = bodySize - (count - 1) * recordSize
        guard lastRecordSize >= 16 else { throw SealedFileError.truncated(chunks: count - 1) }
        self.chunkCount = count
        self.plaintextSize = bodySize - 16 * count
        // The final chunk must authenticate as the final one: this fixes the plaintext size.
        _ = try plaintext(ofChunk: count - 1)
    }

    /// The byte range of the plaintext that chunk `index` holds.
    public func plaintextRange(ofChunk index: Int) -> Range<Int> {
        let start = min(index * chunkSize, plaintextSize)
        return start..<min(start + chunkSize, plaintextSize)
    }

    /// The chunks whose plaintext covers `range` (empty for an empty range).
    public func chunks(covering range: Range<Int>) -> Range<Int> {
        guard !range.isEmpty else { return 0..<0 }
        return (range.lowerBound / chunkSize)..<((range.upperBound - 1) / chunkSize + 1)
    }

    /// The authenticated plaintext of chunk `index`.
    public func plaintext(ofChunk index: Int) throws -> [UInt8] {
        guard index >= 0, index < chunkCount else {
            throw SealedFileError.invalidRange("chunk \(index) is outside 0..<\(chunkCount)")
        }
        let recordSize = chunkSize + 16
        let offset = headerBytes.count + index * recordSize
        let last = index == chunkCount - 1
        let record = try source.read(at: offset, count: recordSize)
        let expected = last ? source.size - offset : recordSize
        guard record.count == expected, record.count >= 16 else {
            throw SealedFileError.io("the file changed while it was read (chunk \(index) at byte \(offset))")
        }
        do {
            let box = try AES.GCM.SealedBox(
                nonce: try chunkNonce(prefix: header.noncePrefix, index: index, last: last),
                ciphertext: record.dropLast(16), tag: record.suffix(16))
            return Array(try AES.GCM.open(box, using: keys.subkey, authenticating: headerBytes))
        } catch {
            throw SealedFileReader.diagnose(record, index: index, offset: offset, last: last, keys: keys, header: header, headerBytes: headerBytes)
        }
    }

    /// Calls `output` with the plaintext of `range`, in order, one authenticated chunk (or part
    /// of one) at a time.
    public func read(_ range: Range<Int>, output: ([UInt8]) throws -> Void) throws {
        guard range.lowerBound >= 0, range.upperBound <= plaintextSize else {
            throw SealedFileError.invalidRange("bytes \(range.lowerBound)..<\(range.upperBound) are outside the plaintext's \(plaintextSize) bytes")
        }
        for index in chunks(covering: range) {
            let chunk = try plaintext(ofChunk: index)
            let chunkStart = index * chunkSize
            let from = max(range.lowerBound, chunkStart) - chunkStart
            let to = min(range.upperBound, chunkStart + chunk.count) - chunkStart
            try output(Array(chunk[from..<to]))
        }
    }
}

extension SealedFileRandomAccessReader: Sendable where Source: Sendable {}

extension SealedFileReader {
    /// Reads the header at the start of a random-access `source`, without reading further.
    public static func readHeader(of source: some SealedFileRandomAccessSource) throws -> (header: SealedFileHeader, bytes: [UInt8]) {
        var prefix = RandomAccessPrefix(source: source)
        return try readHeader(from: &prefix)
    }
}

/// Reads a random-access source from its start, for the header reader.
private struct RandomAccessPrefix<Source: SealedFileRandomAccessSource>: SealedFileSource {
    let source: Source
    var offset = 0
    mutating func read(upTo count: Int) throws -> [UInt8] {
        let bytes = try source.read(at: offset, count: count)
        offset += bytes.count
        return bytes
    }
}
