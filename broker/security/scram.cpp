#include "broker/security/scram.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <stdexcept>

namespace sluice::broker::security {

namespace {

const EVP_MD* md(scram_hash h) { return h == scram_hash::sha256 ? EVP_sha256() : EVP_sha512(); }

const char* mechanism_name(scram_hash h) {
    return h == scram_hash::sha256 ? "SCRAM-SHA-256" : "SCRAM-SHA-512";
}

// saslname (RFC 5802 5.1): ',' is "=2C" and '=' is "=3D"; any other '=' is invalid.
std::optional<std::string> decode_saslname(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '=') {
            out += s[i];
            continue;
        }
        if (s.substr(i, 3) == "=2C")
            out += ',';
        else if (s.substr(i, 3) == "=3D")
            out += '=';
        else
            return std::nullopt;
        i += 2;
    }
    return out;
}

// Splits "a=1,b=2" into attributes; nullopt when an item is not "x=...".
std::optional<std::vector<std::pair<char, std::string_view>>> attributes(std::string_view s) {
    std::vector<std::pair<char, std::string_view>> out;
    while (true) {
        auto comma = s.find(',');
        auto item = s.substr(0, comma);
        if (item.size() < 2 || item[1] != '=') return std::nullopt;
        out.emplace_back(item[0], item.substr(2));
        if (comma == std::string_view::npos) break;
        s.remove_prefix(comma + 1);
    }
    return out;
}

std::string xor_bytes(std::string_view a, std::string_view b) {
    std::string out(a.size(), '\0');
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) out[i] = char(a[i] ^ b[i]);
    return out;
}

sasl_step fail(std::string message, std::string user = {}) {
    sasl_step s;
    s.state = sasl_step::status::failure;
    s.error = std::move(message);
    s.user = std::move(user);
    return s;
}

class plain_server final : public sasl_server {
public:
    explicit plain_server(const credential_store& users) : users_(users) {}

    sasl_step step(std::string_view token) override {
        if (done_) return fail("Authentication failed: PLAIN takes exactly one message");
        done_ = true;
        // [authzid] NUL authcid NUL passwd
        auto a = token.find('\0');
        auto b = a == std::string_view::npos ? a : token.find('\0', a + 1);
        if (b == std::string_view::npos)
            return fail(
                "Authentication failed: PLAIN message must be authzid\\0username\\0password");
        auto authzid = token.substr(0, a);
        std::string user(token.substr(a + 1, b - a - 1));
        auto password = token.substr(b + 1);
        if (user.empty()) return fail("Authentication failed: username not specified");
        if (!authzid.empty() && authzid != user)
            return fail(
                "Authentication failed: Client requested an authorization id that is "
                "different from username",
                user);
        if (!users_.check_password(user, password))
            return fail("Authentication failed: Invalid username or password", user);
        sasl_step s;
        s.state = sasl_step::status::success;
        s.user = std::move(user);
        return s;
    }

private:
    const credential_store& users_;
    bool done_ = false;
};

class scram_server final : public sasl_server {
public:
    scram_server(scram_hash h, const credential_store& users, std::function<std::string()> nonce)
        : h_(h), users_(users), nonce_(std::move(nonce)) {}

    sasl_step step(std::string_view token) override {
        switch (stage_++) {
            case 0:
                return first(token);
            case 1:
                return final(token);
            default:
                return fail("Authentication failed: unexpected SCRAM message", user_);
        }
    }

private:
    std::string invalid() const {
        return std::string(
                   "Authentication failed during authentication due to invalid "
                   "credentials with SASL mechanism ") +
               mechanism_name(h_);
    }

    sasl_step first(std::string_view msg) {
        // gs2-header = cbind-flag "," [ "a=" authzid ] ","
        if (msg.size() < 3 || (msg[0] != 'n' && msg[0] != 'y') || msg[1] != ',')
            return fail(
                "Authentication failed: invalid SCRAM client-first message "
                "(channel binding is not supported)");
        auto second_comma = msg.find(',', 2);
        if (second_comma == std::string_view::npos)
            return fail("Authentication failed: invalid SCRAM client-first message");
        gs2_header_ = std::string(msg.substr(0, second_comma + 1));
        auto authzid_part = msg.substr(2, second_comma - 2);
        client_first_bare_ = std::string(msg.substr(second_comma + 1));
        auto attrs = attributes(client_first_bare_);
        if (!attrs || attrs->size() < 2 || (*attrs)[0].first != 'n' || (*attrs)[1].first != 'r')
            return fail("Authentication failed: invalid SCRAM client-first message");
        auto user = decode_saslname((*attrs)[0].second);
        if (!user || user->empty())
            return fail("Authentication failed: invalid user name in SCRAM client-first message");
        user_ = *user;
        if (!authzid_part.empty()) {
            if (authzid_part.substr(0, 2) != "a=" ||
                decode_saslname(authzid_part.substr(2)) != user_)
                return fail(
                    "Authentication failed: Client requested an authorization id that "
                    "is different from username",
                    user_);
        }
        for (size_t i = 2; i < attrs->size(); ++i) {
            // Kafka's only extension is delegation tokens, which Sluice has not.
            if ((*attrs)[i].first == 'm')
                return fail("Authentication failed: unsupported SCRAM mandatory extension", user_);
        }
        auto client_nonce = (*attrs)[1].second;
        if (client_nonce.empty())
            return fail("Authentication failed: empty nonce in SCRAM client-first message", user_);
        nonce_full_ =
            std::string(client_nonce) + (nonce_ ? nonce_() : base64_encode(random_bytes(24)));
        const scram_credential* cred = users_.scram(h_, user_);
        if (cred) {
            cred_ = *cred;
        } else {
            // An unknown user gets a plausible salt and fails only at the proof,
            // as a known user with a wrong password does.
            known_ = false;
            cred_.salt = hmac(h_, fake_salt_key(), user_).substr(0, 16);
            cred_.iterations = credential_store::iterations;
        }
        server_first_ = "r=" + nonce_full_ + ",s=" + base64_encode(cred_.salt) +
                        ",i=" + std::to_string(cred_.iterations);
        sasl_step s;
        s.state = sasl_step::status::more;
        s.response = server_first_;
        s.user = user_;
        return s;
    }

    sasl_step final(std::string_view msg) {
        auto p = msg.rfind(",p=");
        if (p == std::string_view::npos)
            return fail("Authentication failed: invalid SCRAM client-final message", user_);
        auto without_proof = msg.substr(0, p);
        auto proof = base64_decode(msg.substr(p + 3));
        auto attrs = attributes(without_proof);
        if (!attrs || attrs->size() < 2 || (*attrs)[0].first != 'c' || (*attrs)[1].first != 'r' ||
            !proof)
            return fail("Authentication failed: invalid SCRAM client-final message", user_);
        auto cbind = base64_decode((*attrs)[0].second);
        if (!cbind || *cbind != gs2_header_)
            return fail(
                "Authentication failed: invalid channel binding in SCRAM client-final "
                "message",
                user_);
        // Kafka only checks that the nonce ends with the server-first nonce, and
        // librdkafka 2.0 relies on it: it sends the client nonce twice.
        if (!(*attrs)[1].second.ends_with(nonce_full_))
            return fail("Authentication failed: invalid nonce in SCRAM client-final message",
                        user_);
        std::string auth_message =
            client_first_bare_ + "," + server_first_ + "," + std::string(without_proof);
        std::string client_signature = hmac(h_, cred_.stored_key, auth_message);
        if (proof->size() != client_signature.size()) return fail(invalid(), user_);
        std::string client_key = xor_bytes(*proof, client_signature);
        // Unknown users go through the same work (against an empty key) and fail.
        if (!constant_time_equal(hash(h_, client_key), cred_.stored_key) || !known_)
            return fail(invalid(), user_);
        sasl_step s;
        s.state = sasl_step::status::success;
        s.response = "v=" + base64_encode(hmac(h_, cred_.server_key, auth_message));
        s.user = user_;
        return s;
    }

    static const std::string& fake_salt_key() {
        static const std::string key = random_bytes(32);
        return key;
    }

    scram_hash h_;
    const credential_store& users_;
    std::function<std::string()> nonce_;
    int stage_ = 0;
    bool known_ = true;
    std::string user_;
    std::string gs2_header_;
    std::string client_first_bare_;
    std::string server_first_;
    std::string nonce_full_;
    scram_credential cred_;
};

}  // namespace

std::optional<scram_hash> scram_hash_for(std::string_view mechanism) {
    if (mechanism == "SCRAM-SHA-256") return scram_hash::sha256;
    if (mechanism == "SCRAM-SHA-512") return scram_hash::sha512;
    return std::nullopt;
}

std::string hash(scram_hash h, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_Digest(data.data(), data.size(), out, &n, md(h), nullptr) != 1)
        throw std::runtime_error("EVP_Digest failed");
    return std::string(reinterpret_cast<char*>(out), n);
}

std::string hmac(scram_hash h, std::string_view key, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!HMAC(md(h), key.data(), int(key.size()),
              reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &n))
        throw std::runtime_error("HMAC failed");
    return std::string(reinterpret_cast<char*>(out), n);
}

std::string pbkdf2(scram_hash h, std::string_view password, std::string_view salt, int iterations) {
    std::string out(size_t(EVP_MD_size(md(h))), '\0');
    if (PKCS5_PBKDF2_HMAC(password.data(), int(password.size()),
                          reinterpret_cast<const unsigned char*>(salt.data()), int(salt.size()),
                          iterations, md(h), int(out.size()),
                          reinterpret_cast<unsigned char*>(out.data())) != 1)
        throw std::runtime_error("PKCS5_PBKDF2_HMAC failed");
    return out;
}

std::string base64_encode(std::string_view data) {
    std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(data.data()), int(data.size()));
    out.resize(size_t(n));
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) return std::nullopt;
    // '=' only as one or two trailing padding characters.
    size_t pad = 0;
    while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
    for (size_t i = 0; i + pad < text.size(); ++i) {
        char c = text[i];
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/'))
            return std::nullopt;
    }
    std::string out(3 * (text.size() / 4) + 1, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(text.data()), int(text.size()));
    if (n < 0) return std::nullopt;
    // EVP_DecodeBlock counts the padding as zero bytes.
    out.resize(size_t(n) - pad);
    return out;
}

std::string random_bytes(size_t n) {
    std::string out(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), int(n)) != 1)
        throw std::runtime_error("RAND_bytes failed");
    return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

scram_credential make_scram_credential(scram_hash h, std::string_view password, std::string salt,
                                       int iterations) {
    scram_credential c;
    c.salt = std::move(salt);
    c.iterations = iterations;
    std::string salted = pbkdf2(h, password, c.salt, iterations);
    c.stored_key = hash(h, hmac(h, salted, "Client Key"));
    c.server_key = hmac(h, salted, "Server Key");
    return c;
}

void credential_store::add(const std::string& user, std::string_view password) {
    entry e;
    e.sha256 = make_scram_credential(scram_hash::sha256, password, random_bytes(16), iterations);
    e.sha512 = make_scram_credential(scram_hash::sha512, password, random_bytes(16), iterations);
    users_[user] = std::move(e);
}

credential_store credential_store::load_file(const std::string& path) {
    YAML::Node root;
    try {
        root = YAML::LoadFile(path);
    } catch (const YAML::BadFile&) {
        throw std::runtime_error("sasl.users.file: cannot read " + path);
    } catch (const YAML::Exception& e) {
        throw std::runtime_error("sasl.users.file: " + path + ":" +
                                 std::to_string(e.mark.line + 1) + ": not valid YAML");
    }
    if (!root.IsMap() || root.size() == 0)
        throw std::runtime_error("sasl.users.file: " + path +
                                 " must map user names to passwords (alice: alice-secret)");
    credential_store store;
    for (auto it = root.begin(); it != root.end(); ++it) {
        const auto& k = it->first;
        const auto& v = it->second;
        std::string where = path + ":" + std::to_string(k.Mark().line + 1);
        if (!k.IsScalar() || k.Scalar().empty())
            throw std::runtime_error("sasl.users.file: " + where +
                                     ": a user name must be a "
                                     "non-empty string");
        if (!v.IsScalar() || v.Scalar().empty())
            throw std::runtime_error("sasl.users.file: " + where + ": user '" + k.Scalar() +
                                     "' needs a non-empty password string");
        store.add(k.Scalar(), v.Scalar());
    }
    return store;
}

void credential_store::set_credential(const std::string& user, scram_hash h, scram_credential c) {
    auto& e = users_[user];
    (h == scram_hash::sha256 ? e.sha256 : e.sha512) = std::move(c);
}

const scram_credential* credential_store::scram(scram_hash h, const std::string& user) const {
    auto it = users_.find(user);
    if (it == users_.end()) return nullptr;
    return h == scram_hash::sha256 ? &it->second.sha256 : &it->second.sha512;
}

bool credential_store::check_password(const std::string& user, std::string_view password) const {
    // An unknown user costs the same PBKDF2 as a known one: the time of a failed
    // PLAIN attempt does not tell whether the user exists.
    static const scram_credential dummy =
        make_scram_credential(scram_hash::sha256, random_bytes(16), random_bytes(16), iterations);
    auto it = users_.find(user);
    const auto& c = it == users_.end() ? dummy : it->second.sha256;
    auto salted = pbkdf2(scram_hash::sha256, password, c.salt, c.iterations);
    auto stored = hash(scram_hash::sha256, hmac(scram_hash::sha256, salted, "Client Key"));
    return constant_time_equal(stored, c.stored_key) && it != users_.end();
}

std::unique_ptr<sasl_server> make_sasl_server(std::string_view mechanism,
                                              const credential_store& users,
                                              std::function<std::string()> nonce) {
    if (mechanism == "PLAIN") return std::make_unique<plain_server>(users);
    if (auto h = scram_hash_for(mechanism))
        return std::make_unique<scram_server>(*h, users, std::move(nonce));
    return nullptr;
}

}  // namespace sluice::broker::security
