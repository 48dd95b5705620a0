import COpenSSL
import Foundation

/// SHA-256 and MD5 digests of output objects, from OpenSSL's libcrypto.
public enum Digest {
    /// Lower-case hex SHA-256 of `data`.
    public static func sha256(_ data: Data) -> String {
        hex(digest(data, sha256Algorithm, length: 32))
    }

    /// The algorithms, fetched from OpenSSL's default provider once: named by `EVP_sha256()`,
    /// OpenSSL 3 looks the implementation up again on every digest, which costs more than
    /// hashing a short text.
    nonisolated(unsafe) private static let sha256Algorithm: OpaquePointer? = EVP_MD_fetch(nil, "SHA256", nil) ?? EVP_sha256()
    nonisolated(unsafe) private static let md5Algorithm: OpaquePointer? = EVP_MD_fetch(nil, "MD5", nil) ?? EVP_md5()

    /// Lower-case hex SHA-256 of `bytes`.
    public static func sha256(_ bytes: [UInt8]) -> String {
        hex(digest(bytes, sha256Algorithm, length: 32))
    }

    /// Lower-case hex MD5 of `data`: what S3 reports as the ETag of a single-part upload.
    public static func md5(_ data: Data) -> String {
        hex(digest(data, md5Algorithm, length: 16))
    }

    /// Raw MD5 bytes, base64-encoded: the value of a `Content-MD5` header.
    public static func md5Base64(_ data: Data) -> String {
        Data(digest(data, md5Algorithm, length: 16)).base64EncodedString()
    }

    /// The first `length` characters of base64url(SHA-256): a fingerprint for file names.
    public static func fingerprint(_ data: Data, length: Int = 8) -> String {
        let encoded = Data(digest(data, sha256Algorithm, length: 32)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
        return String(encoded.prefix(length))
    }

    private static func digest(_ data: some ContiguousBytes, _ type: OpaquePointer?, length: Int) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var size: UInt32 = 0
        let ok = data.withUnsafeBytes { buffer in
            EVP_Digest(buffer.baseAddress, buffer.count, &output, &size, type, nil)
        }
        // EVP_Digest only fails on allocation failure; an empty digest then makes every comparison differ.
        guard ok == 1 else { return [] }
        return Array(output.prefix(Int(size)))
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
