#include "connectors/fhir_http/fhir_http_dev_certificate.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "engine/crypto/digest.h"
#include "engine/io/file_descriptor.h"

namespace ferry::connectors::fhir_http {
namespace {

using engine::ErrorCode;
using engine::Result;
using engine::Status;

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct X509Free {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
struct ExtensionFree {
  void operator()(X509_EXTENSION* extension) const { X509_EXTENSION_free(extension); }
};
struct BignumFree {
  void operator()(BIGNUM* number) const { BN_free(number); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, ExtensionFree>;
using BignumPtr = std::unique_ptr<BIGNUM, BignumFree>;

constexpr long kValiditySeconds = 365L * 24 * 60 * 60;
// Backdated a little so that a client whose clock runs behind still accepts it at once.
constexpr long kBackdateSeconds = 5L * 60;
// An existing certificate is replaced when it would expire within this time.
constexpr long kRenewBeforeSeconds = 24L * 60 * 60;

Status opensslFailure(const std::string& step) {
  return Status(ErrorCode::Internal, "development certificate: OpenSSL failed to " + step);
}

Status ioFailure(const std::string& what, const std::string& path) {
  return Status(ErrorCode::IoError, "development certificate: cannot " + what + " '" + path +
                                        "': " + std::strerror(errno));
}

std::string bioText(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

bool addExtension(X509* certificate, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
  ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value));
  return extension && X509_add_ext(certificate, extension.get(), -1) == 1;
}

// A positive random 128-bit serial number (RFC 5280 4.1.2.2 allows up to 20 octets).
bool setRandomSerial(X509* certificate) {
  std::array<std::uint8_t, 16> bytes{};
  if (!engine::crypto::randomBytes(bytes.data(), bytes.size())) {
    return false;
  }
  bytes[0] &= 0x7f;
  bytes[0] |= 0x01;  // never zero, never negative
  BignumPtr number(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
  return number && BN_to_ASN1_INTEGER(number.get(), X509_get_serialNumber(certificate)) != nullptr;
}

struct GeneratedPair {
  std::string certificate_pem;
  std::string private_key_pem;
};

Result<GeneratedPair> generatePair() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) {
    return opensslFailure("generate an EC P-256 key");
  }
  X509Ptr certificate(X509_new());
  if (!certificate || X509_set_version(certificate.get(), 2) != 1 ||
      !setRandomSerial(certificate.get()) ||
      X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -kBackdateSeconds) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(certificate.get()), kValiditySeconds) == nullptr ||
      X509_set_pubkey(certificate.get(), key.get()) != 1) {
    return opensslFailure("fill in the certificate");
  }
  X509_NAME* name = X509_get_subject_name(certificate.get());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("localhost"), -1, -1,
                                 0) != 1 ||
      X509_set_issuer_name(certificate.get(), name) != 1) {
    return opensslFailure("set the certificate name");
  }
  if (!addExtension(certificate.get(), NID_basic_constraints, "critical,CA:FALSE") ||
      !addExtension(certificate.get(), NID_key_usage, "critical,digitalSignature") ||
      !addExtension(certificate.get(), NID_ext_key_usage, "serverAuth") ||
      !addExtension(certificate.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1") ||
      !addExtension(certificate.get(), NID_subject_key_identifier, "hash")) {
    return opensslFailure("add the certificate extensions");
  }
  if (X509_sign(certificate.get(), key.get(), EVP_sha256()) <= 0) {
    return opensslFailure("sign the certificate");
  }

  BioPtr certificate_bio(BIO_new(BIO_s_mem()));
  BioPtr key_bio(BIO_new(BIO_s_mem()));
  if (!certificate_bio || !key_bio ||
      PEM_write_bio_X509(certificate_bio.get(), certificate.get()) != 1 ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1) {
    return opensslFailure("write PEM");
  }
  return GeneratedPair{bioText(certificate_bio.get()), bioText(key_bio.get())};
}

X509Ptr readCertificate(const std::string& path) {
  BioPtr bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) {
    return nullptr;
  }
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

PkeyPtr readPrivateKey(const std::string& path) {
  BioPtr bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) {
    return nullptr;
  }
  return PkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

std::string fingerprintOf(X509* certificate) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (X509_digest(certificate, EVP_sha256(), digest.data(), &size) != 1) {
    return {};
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string text;
  for (unsigned int index = 0; index < size; ++index) {
    if (index > 0) {
      text.push_back(':');
    }
    text.push_back(kHex[digest[index] >> 4]);
    text.push_back(kHex[digest[index] & 0x0f]);
  }
  return text;
}

// Why the existing pair cannot be reused; empty when it can.
std::string reuseProblem(X509* certificate, EVP_PKEY* key) {
  if (certificate == nullptr) {
    return "the certificate file does not hold a PEM certificate";
  }
  if (key == nullptr) {
    return "the key file does not hold a PEM private key";
  }
  if (X509_check_private_key(certificate, key) != 1) {
    return "the key does not belong to the certificate";
  }
  time_t renew_at = time(nullptr) + kRenewBeforeSeconds;
  if (X509_cmp_time(X509_get0_notAfter(certificate), &renew_at) <= 0) {
    return "the certificate expires within a day (or has expired)";
  }
  return {};
}

Status syncDirectory(const std::string& directory) {
  engine::io::FileDescriptor dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0 || ::fsync(dir.get()) != 0) {
    return ioFailure("sync directory", directory);
  }
  return Status::ok();
}

// Writes `bytes` to `path` through a temporary file created with `mode`, so that a reader never
// sees a half-written key and the key is never readable by others, not even for an instant.
Status writeAtomically(const std::string& path, const std::string& bytes, mode_t mode) {
  std::string temp = path + ".tmp" + std::to_string(::getpid());
  ::unlink(temp.c_str());
  engine::io::FileDescriptor file(
      ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode));
  if (file.get() < 0) {
    return ioFailure("create", temp);
  }
  std::size_t written = 0;
  while (written < bytes.size()) {
    ssize_t result = ::write(file.get(), bytes.data() + written, bytes.size() - written);
    if (result < 0 && errno == EINTR) {
      continue;
    }
    if (result <= 0) {
      Status failure = ioFailure("write", temp);
      ::unlink(temp.c_str());
      return failure;
    }
    written += static_cast<std::size_t>(result);
  }
  // The umask may have narrowed `mode`, never widened it; fchmod makes it exact.
  if (::fchmod(file.get(), mode) != 0 || ::fsync(file.get()) != 0 || !file.close()) {
    Status failure = ioFailure("write", temp);
    ::unlink(temp.c_str());
    return failure;
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    Status failure = ioFailure("rename into", path);
    ::unlink(temp.c_str());
    return failure;
  }
  return Status::ok();
}

Status prepareDirectory(const std::string& directory) {
  std::error_code error;
  if (std::filesystem::is_directory(directory, error)) {
    return Status::ok();
  }
  if (!std::filesystem::create_directories(directory, error) || error) {
    return Status(ErrorCode::IoError, "development certificate: cannot create directory '" +
                                          directory + "': " + error.message());
  }
  if (::chmod(directory.c_str(), 0700) != 0) {
    return ioFailure("restrict permissions of", directory);
  }
  return Status::ok();
}

}  // namespace

Result<DevCertificate> ensureDevCertificate(const std::string& directory) {
  Status prepared = prepareDirectory(directory);
  if (!prepared.isOk()) {
    return prepared;
  }
  // Listeners (in this process or another) sharing the directory take turns, so that one never
  // pairs its key with the other's certificate.
  std::string lock_path = (std::filesystem::path(directory) / ".fhir-dev.lock").string();
  engine::io::FileDescriptor lock(
      ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (lock.get() < 0) {
    return ioFailure("open", lock_path);
  }
  while (::flock(lock.get(), LOCK_EX) != 0) {
    if (errno != EINTR) {
      return ioFailure("lock", lock_path);
    }
  }

  DevCertificate result;
  result.certificate_path = (std::filesystem::path(directory) / kDevCertificateFile).string();
  result.private_key_path = (std::filesystem::path(directory) / kDevPrivateKeyFile).string();

  std::error_code error;
  bool both_exist = std::filesystem::exists(result.certificate_path, error) &&
                    std::filesystem::exists(result.private_key_path, error);
  if (both_exist) {
    X509Ptr certificate = readCertificate(result.certificate_path);
    PkeyPtr key = readPrivateKey(result.private_key_path);
    std::string problem = reuseProblem(certificate.get(), key.get());
    if (problem.empty()) {
      struct stat info {};
      if (::stat(result.private_key_path.c_str(), &info) == 0 && (info.st_mode & 0077) != 0) {
        if (::chmod(result.private_key_path.c_str(), 0600) != 0) {
          return ioFailure("restrict permissions of", result.private_key_path);
        }
        result.note = "key file permissions tightened to 0600";
      }
      result.fingerprint = fingerprintOf(certificate.get());
      return result;
    }
    result.note = "replaced the earlier pair: " + problem;
  }

  auto generated = generatePair();
  if (!generated.isOk()) {
    return generated.status();
  }
  // Key first: a certificate is only ever on disk next to a key that may match it.
  Status written =
      writeAtomically(result.private_key_path, generated.value().private_key_pem, 0600);
  if (written.isOk()) {
    written = writeAtomically(result.certificate_path, generated.value().certificate_pem, 0644);
  }
  if (written.isOk()) {
    written = syncDirectory(directory);
  }
  if (!written.isOk()) {
    return written;
  }

  auto fingerprint = certificateFingerprint(result.certificate_path);
  if (!fingerprint.isOk()) {
    return fingerprint.status();
  }
  result.fingerprint = fingerprint.value();
  result.created = true;
  return result;
}

Result<std::string> certificateFingerprint(const std::string& pem_path) {
  X509Ptr certificate = readCertificate(pem_path);
  if (!certificate) {
    return Status(ErrorCode::IoError, "'" + pem_path + "' does not hold a PEM certificate");
  }
  std::string fingerprint = fingerprintOf(certificate.get());
  if (fingerprint.empty()) {
    return opensslFailure("compute the certificate fingerprint");
  }
  return fingerprint;
}

}  // namespace ferry::connectors::fhir_http
