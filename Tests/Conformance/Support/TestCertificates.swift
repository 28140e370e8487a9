// Certificates for in-process TLS tests, made at run time with openssl (never committed):
// an EC P-256 CA, a server certificate for 127.0.0.1/localhost, and client certificates for two
// identities (camera, viewer, admin) with the clientAuth extended key usage.

import Foundation

enum TestCertificates {
    /// The directory holding ca.pem, server.pem/.key, camera.pem/.key, viewer.pem/.key, admin.pem/.key.
    static let directory: String = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swift-kmip-test-certs-\(ProcessInfo.processInfo.processIdentifier)").path
        let script = """
            set -e
            mkdir -p "$1" && cd "$1"
            key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
            key ca.key
            openssl req -x509 -new -key ca.key -days 2 -subj "/CN=swift-kmip test CA" -addext "basicConstraints=critical,CA:TRUE" -out ca.pem 2>/dev/null
            leaf() {
              key "$1.key"
              openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr" 2>/dev/null
              printf '%s\\n' "$3" > "$1.ext"
              openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
              rm -f "$1.csr" "$1.ext"
            }
            leaf server localhost "subjectAltName=IP:127.0.0.1,DNS:localhost
            extendedKeyUsage=serverAuth"
            leaf camera camera "extendedKeyUsage=clientAuth"
            leaf viewer viewer "extendedKeyUsage=clientAuth"
            leaf admin admin "extendedKeyUsage=clientAuth"
            chmod 600 ./*.key
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script, "certs", directory]
        try? process.run()
        process.waitUntilExit()
        return directory
    }()

    static func path(_ name: String) -> String { directory + "/" + name }
}
