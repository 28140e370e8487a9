// swift-kmip: KMIPServer
//
// Who did what to which object: one JSON line per batch item, never key material.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// An append-only audit log: one JSON object per line for every operation the server answers,
/// with the time, the identity, the protocol version, the operation, the object's Unique
/// Identifier (when there is one) and the result. Key material, passwords and payloads are never
/// written.
///
/// ```json
/// {"time":"2026-12-04T14:02:11Z","identity":"camera","version":"2.1","operation":"Create","object":"5c1…","result":"Success"}
/// ```
///
/// The log is bounded: once the file reaches ``maximumSize`` bytes it is renamed `PATH.1` (the
/// older ones move to `PATH.2` ... `PATH.K`, the oldest beyond ``keptFiles`` is removed) and a
/// new file is started.
public final class KMIPAuditLog: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var handle: FileHandle?
    /// The log file.
    public let path: String
    /// The size in bytes at which the file is rotated.
    public let maximumSize: Int
    /// How many rotated files are kept besides the current one.
    public let keptFiles: Int

    /// Opens `path` for appending (created with mode 0600 when missing), rotating it at
    /// `maximumSize` bytes (64 MiB by default) and keeping `keptFiles` older files (5 by default).
    /// Every record is one `write` to a file opened with `O_APPEND`, so records from several
    /// processes stay whole lines.
    public init(path: String, maximumSize: Int = 64 << 20, keptFiles: Int = 5) throws {
        guard maximumSize > 0, keptFiles >= 0 else {
            throw KMIPServerSetupError("the audit log's maximum size must be positive and the number of kept files not negative")
        }
        self.path = path
        self.maximumSize = maximumSize
        self.keptFiles = keptFiles
        self.handle = try Self.openForAppending(path)
    }

    private static func openForAppending(_ path: String) throws -> FileHandle {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw KMIPServerSetupError("cannot open the audit log \(path): \(String(cString: strerror(errno)))")
        }
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    /// Renames the full file to `PATH.1` (shifting the older ones, dropping the oldest) and
    /// opens a new one. Called with `lock` held.
    private func rotate() throws {
        try handle?.close()
        handle = nil
        if keptFiles == 0 {
            unlink(path)
        } else {
            unlink("\(path).\(keptFiles)")
            for index in stride(from: keptFiles - 1, through: 1, by: -1) {
                rename("\(path).\(index)", "\(path).\(index + 1)")
            }
            guard rename(path, "\(path).1") == 0 || errno == ENOENT else {
                throw KMIPServerSetupError("cannot rotate the audit log \(path): \(String(cString: strerror(errno)))")
            }
        }
        handle = try Self.openForAppending(path)
    }

    /// Records that could not be written (a full disk, an I/O error); each failure is also
    /// reported on stderr.
    public var failedWrites: Int { lock.withLock { failures } }
    private var failures = 0

    /// One audit record.
    public struct Record: Codable, Hashable, Sendable {
        /// When the server answered (UTC, ISO 8601).
        public var time: String
        /// The client's identity (its certificate's subject common name).
        public var identity: String
        /// The protocol version of the request.
        public var version: String
        /// The operation's specification name.
        public var operation: String
        /// The object operated on, when there is one.
        public var object: String?
        /// The Result Status, and the Result Reason when it failed.
        public var result: String

        /// Creates a record.
        public init(time: String, identity: String, version: String, operation: String, object: String?, result: String) {
            self.time = time
            self.identity = identity
            self.version = version
            self.operation = operation
            self.object = object
            self.result = result
        }
    }

    /// Appends a record.
    public func append(_ record: Record) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(record) else { return }
        line.append(UInt8(ascii: "\n"))
        lock.withLock {
            do {
                guard let handle else { return }
                try handle.write(contentsOf: line)
                // Appending leaves the offset at the end: the file's size.
                if try handle.offset() >= UInt64(maximumSize) {
                    try rotate()
                }
            } catch {
                // Never take the server down for its log; say so where an operator looks.
                failures += 1
                try? FileHandle.standardError.write(contentsOf: Data("kmip-server: cannot write the audit log \(path): \(error)\n".utf8))
            }
        }
    }

    /// The files of the log at `path`, oldest first: the rotated `PATH.K` ... `PATH.1`, then `PATH`.
    public static func files(at path: String) -> [String] {
        var rotated: [String] = []
        var index = 1
        while FileManager.default.fileExists(atPath: "\(path).\(index)") {
            rotated.append("\(path).\(index)")
            index += 1
        }
        return rotated.reversed() + [path]
    }

    /// Every record in the log file at `path` (not the rotated ones), oldest first.
    public static func records(at path: String) throws -> [Record] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KMIPServerSetupError("cannot read the audit log \(path)")
        }
        return try data.split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(Record.self, from: Data($0)) }
    }

    /// Closes the file.
    public func close() {
        lock.withLock {
            try? handle?.close()
            handle = nil
        }
    }
}
