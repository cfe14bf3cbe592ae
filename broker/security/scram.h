#pragma once
// SASL credentials and the server side of the PLAIN (RFC 4616) and
// SCRAM-SHA-256 / SCRAM-SHA-512 (RFC 5802, RFC 7677) mechanisms, as Kafka
// speaks them. Pure: no sockets, no Asio; OpenSSL for the hashes.
//
// Passwords are never kept: a user's credential is the SCRAM one (salt,
// iterations, StoredKey, ServerKey) for each hash, and PLAIN is checked by
// deriving the SCRAM-SHA-256 StoredKey from the offered password. Nothing here
// logs; failure messages never contain a password.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::broker::security {

enum class scram_hash { sha256, sha512 };

// "SCRAM-SHA-256" / "SCRAM-SHA-512" to the hash; nullopt otherwise.
std::optional<scram_hash> scram_hash_for(std::string_view mechanism);

std::string hash(scram_hash h, std::string_view data);
std::string hmac(scram_hash h, std::string_view key, std::string_view data);
std::string pbkdf2(scram_hash h, std::string_view password, std::string_view salt, int iterations);
std::string base64_encode(std::string_view data);
std::optional<std::string> base64_decode(std::string_view text);
std::string random_bytes(size_t n);
// Equal contents, in time independent of where they differ.
bool constant_time_equal(std::string_view a, std::string_view b);

struct scram_credential {
    std::string salt;
    int iterations = 4096;
    std::string stored_key;
    std::string server_key;
};

scram_credential make_scram_credential(scram_hash h, std::string_view password, std::string salt,
                                       int iterations);

// Users and their credentials.
class credential_store {
public:
    static constexpr int iterations = 4096;  // Kafka's minimum for SCRAM-SHA-256/512

    // Adds (or replaces) a user: credentials for both hashes with fresh salts.
    void add(const std::string& user, std::string_view password);
    // Sets one hash's credential of a user (kept: the other hash's, if any).
    void set_credential(const std::string& user, scram_hash h, scram_credential c);
    // Loads a YAML file mapping user names to passwords ("alice: alice-secret").
    // Throws std::runtime_error naming the file (and the line) when it cannot be
    // read or is not such a map; the message never contains a password.
    static credential_store load_file(const std::string& path);

    bool contains(const std::string& user) const { return users_.count(user) > 0; }
    const scram_credential* scram(scram_hash h, const std::string& user) const;
    // Whether `password` is the user's (PLAIN).
    bool check_password(const std::string& user, std::string_view password) const;
    size_t size() const { return users_.size(); }

private:
    struct entry {
        scram_credential sha256;
        scram_credential sha512;
    };
    std::map<std::string, entry> users_;
};

// One authentication exchange on one connection.
struct sasl_step {
    enum class status { more, success, failure };
    status state = status::failure;
    std::string response;  // token for the client (empty for PLAIN's success)
    std::string error;     // failure: the message for SaslAuthenticate / the log
    std::string user;      // the authenticated (or attempted) user, for logs
};

class sasl_server {
public:
    virtual ~sasl_server() = default;
    virtual sasl_step step(std::string_view client_token) = 0;
};

// PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 against `users` (which must outlive the
// server); nullptr for another mechanism. `nonce` makes the server nonce
// (printable, no ','); default: 24 random bytes in base64.
std::unique_ptr<sasl_server> make_sasl_server(std::string_view mechanism,
                                              const credential_store& users,
                                              std::function<std::string()> nonce = {});

}  // namespace sluice::broker::security
