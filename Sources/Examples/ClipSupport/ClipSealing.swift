// swift-kmip: ClipSupport
//
// Sealing a clip from a stream into the spool, and opening a sealed clip with its KMIP key.

import Crypto
import Foundation
import SealedFile

/// A clip sealed into the spool.
public struct SealedClip: Sendable {
    /// The sealed file in the spool.
    public var path: String
    /// The clip's name (the sealed file's name).
    public var name: String
    /// Plaintext bytes sealed.
    public var plaintextSize: Int
    /// SHA-256 of the plaintext (computed while sealing; the plaintext itself is never stored).
    public var plaintextSHA256: [UInt8]
    /// Size of the sealed file.
    public var sealedSize: Int
}

/// Seals and opens clips.
public enum ClipSealing {
    /// Seals everything `source` yields, straight into `spool/name` (written as a hidden temporary
    /// file, synced, then renamed, so the spool never holds a partial clip under its name).
    ///
    /// - Parameter beforeKeeping: called once the source is exhausted, before the clip is kept; a
    ///   throw (a capture command that failed) discards the clip.
    public static func seal(
        from source: inout some SealedFileSource, into spool: String, name: String, header: SealedFileHeader, key: [UInt8],
        beforeKeeping: () throws -> Void = {}
    ) throws -> SealedClip {
        try DirectoryClipStore.checkName(name)
        let temporary = spool + "/.\(name).sealing"
        let final = spool + "/" + name
        guard FileManager.default.createFile(atPath: temporary, contents: nil, attributes: [.posixPermissions: 0o600]),
            let output = FileHandle(forWritingAtPath: temporary)
        else {
            throw ClipStoreError("cannot create \(temporary)")
        }
        var hash = SHA256()
        var size = 0
        do {
            let writer = try SealedFileWriter(header: header, key: key) { try output.write(contentsOf: $0) }
            while true {
                let piece = try source.read(upTo: 1 << 16)
                if piece.isEmpty { break }
                hash.update(data: piece)
                size += piece.count
                try writer.write(piece)
            }
            try writer.finish()
            try beforeKeeping()
            try output.synchronize()
            try output.close()
            guard rename(temporary, final) == 0 else { throw ClipStoreError("cannot rename \(temporary): \(String(cString: strerror(errno)))") }
            ClipSpool.syncDirectory(spool)
            return SealedClip(path: final, name: name, plaintextSize: size, plaintextSHA256: Array(hash.finalize()), sealedSize: writer.bytesWritten)
        } catch {
            try? output.close()
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    /// Removes what interrupted sealings left in `spool` (hidden `.NAME.sealing` files: ciphertext
    /// of clips whose recording never finished) and returns their names.
    @discardableResult
    public static func removeInterruptedSealings(in spool: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: spool)) ?? []
        let partial = names.filter { $0.hasPrefix(".") && $0.hasSuffix(".sealing") }
        for name in partial { try? FileManager.default.removeItem(atPath: spool + "/" + name) }
        return partial
    }

    /// Opens the sealed file at `path`: reads its header, asks `key` for the key it names, and
    /// hands every authenticated chunk to `output`.
    ///
    /// - Returns: the header, the plaintext size and its SHA-256.
    @discardableResult
    public static func open(
        _ path: String, key: (SealedFileHeader) async throws -> [UInt8], output: ([UInt8]) throws -> Void = { _ in }
    ) async throws -> (header: SealedFileHeader, size: Int, sha256: [UInt8]) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ClipStoreError("cannot read \(path)") }
        defer { try? handle.close() }
        var source = FileHandleSource(handle)
        let (header, headerBytes) = try SealedFileReader.readHeader(from: &source)
        let keyBytes = try await key(header)
        var hash = SHA256()
        var size = 0
        try SealedFileReader.openBody(&source, header: header, headerBytes: headerBytes, key: keyBytes) { chunk in
            hash.update(data: chunk)
            size += chunk.count
            try output(chunk)
        }
        return (header, size, Array(hash.finalize()))
    }
}
