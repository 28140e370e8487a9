// swift-kmip: CurlClipStore
//
// Who a store logs in as. Credentials come from a file only its owner can read or from the
// environment, never from a command line, and never appear in a description or an error.

import ClipSupport
import Foundation

extension CurlClipStore {
    /// A user name with a password, a private key file, or both.
    ///
    /// Its description names the user and what kind of secret it holds, never the secret.
    public struct Credentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        /// The user name.
        public var user: String
        /// The password (FTP, FTPS; SFTP password authentication).
        public var password: String?
        /// An SSH private key file (SFTP public key authentication), PEM or OpenSSH format.
        public var privateKeyFile: String?
        /// The matching public key file; when nil, libcurl derives it from the private key.
        public var publicKeyFile: String?
        /// The passphrase of an encrypted private key.
        public var keyPassphrase: String?

        /// Credentials for `user`.
        public init(user: String, password: String? = nil, privateKeyFile: String? = nil, publicKeyFile: String? = nil, keyPassphrase: String? = nil) {
            self.user = user
            self.password = password
            self.privateKeyFile = privateKeyFile
            self.publicKeyFile = publicKeyFile
            self.keyPassphrase = keyPassphrase
        }

        /// The user and the kinds of secret held, without the secrets.
        public var description: String {
            var parts: [String] = []
            if password != nil { parts.append("password") }
            if let privateKeyFile { parts.append("key \(privateKeyFile)") }
            if keyPassphrase != nil { parts.append("key passphrase") }
            return parts.isEmpty ? user : "\(user) (\(parts.joined(separator: ", ")))"
        }

        /// The same as ``description``.
        public var debugDescription: String { description }

        /// A mirror that shows only ``description``.
        public var customMirror: Mirror { Mirror(self, children: ["credentials": description]) }

        /// The secrets, to scrub from any text shown (curl's errors should not hold them, but may
        /// echo what a server said).
        var secrets: [String] { [password, keyPassphrase].compactMap { $0 }.filter { $0.count >= 3 } }
    }
}

extension CurlClipStore.Credentials {
    /// The environment variable naming a credentials file.
    public static let fileVariable = "CLIP_STORE_CREDENTIALS"
    /// The environment variable holding the user name.
    public static let userVariable = "CLIP_STORE_USER"
    /// The environment variable holding the password.
    public static let passwordVariable = "CLIP_STORE_PASSWORD"
    /// The environment variable naming an SSH private key file.
    public static let keyVariable = "CLIP_STORE_KEY"
    /// The environment variable holding the private key's passphrase.
    public static let keyPassphraseVariable = "CLIP_STORE_KEY_PASSPHRASE"

    /// The credentials for `url`: from `file` when given, else from the file named by
    /// `CLIP_STORE_CREDENTIALS`, else from `CLIP_STORE_USER` with `CLIP_STORE_PASSWORD` and/or
    /// `CLIP_STORE_KEY` (and `CLIP_STORE_KEY_PASSPHRASE`); nil when none is set.
    ///
    /// A credentials file that has no line for the URL's host is an error, not anonymous access.
    public static func resolve(for url: String, file: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Self? {
        if let path = file ?? environment[fileVariable].flatMap({ $0.isEmpty ? nil : $0 }) {
            guard let credentials = try load(fromFile: path, for: url) else {
                throw ClipStoreError("the credentials file \(path) has no line for \(CurlClipStore.redacted(url))")
            }
            return credentials
        }
        guard let user = environment[userVariable], !user.isEmpty else {
            if environment[passwordVariable] != nil || environment[keyVariable] != nil {
                throw ClipStoreError("\(passwordVariable) or \(keyVariable) is set but \(userVariable) is not")
            }
            return nil
        }
        return Self(
            user: user, password: environment[passwordVariable], privateKeyFile: environment[keyVariable].flatMap { $0.isEmpty ? nil : $0 },
            keyPassphrase: environment[keyPassphraseVariable])
    }

    /// The first line of the credentials file at `path` that matches `url`'s host (and port, when
    /// the line gives one); nil when no line matches.
    ///
    /// The file must belong to the current user and be readable by nobody else (mode 0600 or
    /// 0400). Each line is `HOST[:PORT] USER[:PASSWORD] [key=FILE] [pubkey=FILE] [passphrase=SECRET]`,
    /// fields separated by blanks (so a secret holds no blank); HOST may carry a scheme
    /// (`sftp://HOST:PORT`), which must then match too. `#` starts a comment line.
    public static func load(fromFile path: String, for url: String) throws -> Self? {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw ClipStoreError("cannot read the credentials file \(path): \(String(cString: strerror(errno)))")
        }
        let mode = status.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw ClipStoreError(
                "the credentials file \(path) may be read by others (mode \(String(mode, radix: 8))): make it private with chmod 600 \(path)")
        }
        guard status.st_uid == getuid() else {
            throw ClipStoreError("the credentials file \(path) belongs to another user (uid \(status.st_uid))")
        }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ClipStoreError("cannot read the credentials file \(path): \(error.localizedDescription)")
        }
        guard let target = URLComponents(string: url), let targetHost = target.host?.lowercased() else {
            throw ClipStoreError("\(CurlClipStore.redacted(url)) is not a URL")
        }
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard fields.count >= 2 else {
                throw ClipStoreError("\(path) line \(index + 1): expected HOST[:PORT] USER[:PASSWORD] [key=FILE]")
            }
            var hostField = fields[0]
            if let range = hostField.range(of: "://") {
                guard hostField[..<range.lowerBound].lowercased() == target.scheme?.lowercased() else { continue }
                hostField = String(hostField[range.upperBound...])
            }
            let (host, port) = splitHostPort(hostField)
            guard host.lowercased() == targetHost else { continue }
            if let port { guard port == target.port.map(String.init) else { continue } }

            var credentials: Self
            if let colon = fields[1].firstIndex(of: ":") {
                credentials = Self(user: String(fields[1][..<colon]), password: String(fields[1][fields[1].index(after: colon)...]))
            } else {
                credentials = Self(user: fields[1])
            }
            for option in fields.dropFirst(2) {
                guard let equals = option.firstIndex(of: "=") else {
                    throw ClipStoreError("\(path) line \(index + 1): expected key=, pubkey= or passphrase=, not a bare word")
                }
                let value = String(option[option.index(after: equals)...])
                switch option[..<equals] {
                case "key": credentials.privateKeyFile = value
                case "pubkey": credentials.publicKeyFile = value
                case "passphrase": credentials.keyPassphrase = value
                case let other: throw ClipStoreError("\(path) line \(index + 1): unknown option \(other)=")
                }
            }
            return credentials
        }
        return nil
    }

    /// `host`, `host:port`, `[v6]` or `[v6]:port`.
    private static func splitHostPort(_ field: String) -> (String, String?) {
        if field.hasPrefix("["), let close = field.firstIndex(of: "]") {
            let host = String(field[field.index(after: field.startIndex)..<close])
            let rest = field[field.index(after: close)...]
            return (host, rest.hasPrefix(":") ? String(rest.dropFirst()) : nil)
        }
        if let colon = field.lastIndex(of: ":"), field.firstIndex(of: ":") == colon {
            return (String(field[..<colon]), String(field[field.index(after: colon)...]))
        }
        return (field, nil)
    }
}
