// The shape of the JSON the CLI prints: `parse --json` records and the fields it reads from real
// certutil dumps, and `store --json` for a certificate with a single property.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/files.h"
#include "support/process.h"

namespace certbed::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

std::string certbed() { return shell_quote(CERTBED_BINARY); }

std::string real_dump(const std::string& name) {
  return (fs::path(CERTBED_SOURCE_DIR) / "fixtures" / "dumps" / "real" / name).string();
}

std::string parse_output(const std::string& path) {
  auto r = run_command(certbed() + " parse --json " + shell_quote(path), /*merge_stderr=*/false);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return r.output;
}

Json parse_json(const std::string& path) {
  const auto out = parse_output(path);
  auto json = Json::parse(out, nullptr, false);
  EXPECT_FALSE(json.is_discarded()) << out;
  return json;
}

TEST(ParseJson, NonVerboseKeyLinesGiveOnePropertyObjectNotAnArrayOfPairs) {
  const auto json = parse_json(real_dump("02-ncipher-ksp-nonverbose.txt"));
  const auto& properties = json["certificates"][0]["properties"];
  ASSERT_TRUE(properties.is_array());
  ASSERT_EQ(properties.size(), 1u);
  ASSERT_TRUE(properties[0].is_object()) << properties.dump();
  // No "  CERT_KEY_PROV_INFO_PROP_ID(2):" header in a non-verbose dump: no label.
  EXPECT_EQ(properties[0],
            Json::parse(R"({"id":2,"name":"CERT_KEY_PROV_INFO_PROP_ID","label":null})"));
}

TEST(ParseJson, VerbosePropertiesKeepTheLabelTheDumpPrinted) {
  const auto json = parse_json(real_dump("05-ksp-user-my-verbose-tabs.txt"));
  const auto& properties = json["certificates"][0]["properties"];
  ASSERT_EQ(properties.size(), 8u) << properties.dump();
  for (const auto& p : properties) EXPECT_TRUE(p.is_object()) << properties.dump();
  EXPECT_EQ(properties[2], Json::parse(R"({"id":2,"name":"CERT_KEY_PROV_INFO_PROP_ID",
                                           "label":"CERT_KEY_PROV_INFO_PROP_ID"})"));
  EXPECT_EQ(properties[4]["label"], "CERT_FRIENDLY_NAME_PROP_ID");
}

TEST(ParseJson, SimpleContainerNameIsItsOwnFieldBesideTheKeyContainer) {
  const auto json = parse_json(real_dump("08-user-my-csp-and-ksp-nonverbose.txt"));
  const auto& csp = json["certificates"][0]["key_provider"];
  EXPECT_EQ(csp["container"],
            "a890fd7fbbfc072f8fe045e680c501cf_5834bfa9-1c4a-44a8-a128-c2267f712336");
  EXPECT_EQ(csp["simple_container"], "te-User-c7bcc4bd-0498-4411-af44-da2257f54387");
  EXPECT_TRUE(csp["unique_container"].is_null());
  const auto& ksp = json["certificates"][1]["key_provider"];
  EXPECT_EQ(ksp["container"], "31685cae-af6f-48fb-ac37-845c69b4c097");
  EXPECT_TRUE(ksp["simple_container"].is_null());
  EXPECT_EQ(ksp["unique_container"],
            "bf4097e20d4480b8d6ebc139c9360f02_5834bfa9-1c4a-44a8-a128-c2267f712336");
}

TEST(ParseJson, FoundKeyWithoutKeyContainerLineHasANullContainer) {
  const auto json = parse_json(real_dump("14-no-key-prov-info-found-key-error.txt"));
  const auto& found = json["certificates"][0]["found_key"];
  EXPECT_TRUE(found["container"].is_null()) << found.dump();
  EXPECT_EQ(found["simple_container"], "Certificate-LTD-CA");
}

TEST(ParseJson, ArchivedTemplateCaVersionAndRootAreReadPerCertificate) {
  const auto json = parse_json(real_dump("07-dc-my-missing-keyset-archived-nonverbose.txt"));
  const auto& certs = json["certificates"];
  ASSERT_EQ(certs.size(), 3u);
  // "Archived!", "CA Version: V0.0", "Root Certificate: ...", no template line.
  EXPECT_EQ(certs[0]["archived"], true);
  EXPECT_TRUE(certs[0]["template"].is_null());
  EXPECT_EQ(certs[0]["ca_version"], "V0.0");
  EXPECT_EQ(certs[0]["root"], true);
  // "Template: DomainController, Domain Controller", "Non-root Certificate", no CA Version.
  EXPECT_EQ(certs[1]["archived"], false);
  EXPECT_EQ(certs[1]["template"], "DomainController");
  EXPECT_TRUE(certs[1]["ca_version"].is_null());
  EXPECT_EQ(certs[1]["root"], false);
  EXPECT_EQ(certs[2]["template"], "CA");
  EXPECT_EQ(certs[2]["ca_version"], "V0.0");
  EXPECT_EQ(certs[2]["root"], true);
}

TEST(ParseJson, StoreHeaderAndClosingLineFollowTheWarnings) {
  const auto json = parse_json(real_dump("10-securosys-hsm-ksp-repairstore.txt"));
  EXPECT_EQ(json["store"], Json::parse(R"({"name":"my","description":"Personal"})"));
  EXPECT_TRUE(json["command_line"].is_null());
  EXPECT_EQ(json["verb"], "repairstore");
  EXPECT_EQ(json["completion_line"], "CertUtil: -repairstore command completed successfully.");
  EXPECT_TRUE(json["failure"].is_null());

  const auto scinfo = parse_json(real_dump("24-smartcard-scinfo-csp-keyspec1-and-2.txt"));
  EXPECT_TRUE(scinfo["store"].is_null());
  EXPECT_EQ(scinfo["command_line"], "C:\\Users\\dashl\\Documents>certutil -scinfo");
  EXPECT_EQ(scinfo["verb"], "SCInfo");
}

TEST(ParseJson, CaVersionReadsCertificateIndexThenKeyIndexAndFailureIsKept) {
  TempDir dir;
  const auto path = dir.file("dump.txt");
  std::ofstream(path) << "Root \"Trusted Root Certification Authorities\"\n"
                         "================ Certificate 0 ================\n"
                         "Serial Number: 01\n"
                         "Issuer: CN=Test CA\n"
                         " NotBefore: 1/1/2024 1:00 AM\n"
                         " NotAfter: 1/1/2034 1:00 AM\n"
                         "Subject: CN=Test CA\n"
                         "CA Version: V1.2\n"
                         "Signature matches Public Key\n"
                         "Root Certificate: Subject matches Issuer\n"
                         "Cert Hash(sha1): 0123456789abcdef0123456789abcdef01234567\n"
                         "No key provider information\n"
                         "CertUtil: -store command FAILED: 0x80090011 (-2146893807 NTE_NOT_FOUND)\n"
                         "CertUtil: Object was not found.\n";
  const auto json = parse_json(path);
  EXPECT_EQ(json["certificates"][0]["ca_version"], "V1.2");
  EXPECT_EQ(json["store"]["description"], "Trusted Root Certification Authorities");
  EXPECT_EQ(json["verb"], "store");
  EXPECT_TRUE(json["completion_line"].is_null());
  EXPECT_EQ(json["failure"],
            "CertUtil: -store command FAILED: 0x80090011 (-2146893807 NTE_NOT_FOUND); "
            "CertUtil: Object was not found.");
}

TEST(ParseJson, StreamsOneCertificatePerLineThenTheSummaryOnTheLastLine) {
  const auto out = parse_output(real_dump("07-dc-my-missing-keyset-archived-nonverbose.txt"));
  std::istringstream lines(out);
  std::string line;
  std::vector<std::string> all;
  while (std::getline(lines, line)) all.push_back(line);
  ASSERT_EQ(all.size(), 5u) << out;
  EXPECT_EQ(all[0], "{\"certificates\":[");
  for (std::size_t i = 1; i <= 3; ++i) {
    std::string record = all[i];
    if (i < 3) {
      ASSERT_EQ(record.back(), ',') << record;
      record.pop_back();
    }
    EXPECT_TRUE(Json::parse(record, nullptr, false).is_object()) << record;
  }
  EXPECT_EQ(all[4].rfind("],\"warnings\":[],\"store\":", 0), 0u) << all[4];
}

// A snapshot of the seed scenario with every property but CERT_KEY_PROV_INFO_PROP_ID removed
// from the text format.
std::string one_property_snapshot(const TempDir& dir) {
  const auto full = dir.file("full.textproto");
  auto init = run_command(certbed() + " init ca-ksp-keyspec2 -o " + shell_quote(full));
  EXPECT_EQ(init.exit_code, 0) << init.output;
  std::istringstream in(slurp(full));
  std::ostringstream out;
  std::string line;
  while (std::getline(in, line)) {
    if (line == "    properties {") {
      std::string block = line + "\n";
      bool keep = false;
      while (std::getline(in, line)) {
        block += line + "\n";
        keep = keep || line == "      id: 2";
        if (line == "    }") break;
      }
      if (keep) out << block;
      continue;
    }
    out << line << "\n";
  }
  auto path = dir.file("one.textproto");
  std::ofstream(path) << out.str();
  return path;
}

TEST(StoreJson, CertificateWithOnePropertyListsItAsAnObject) {
  TempDir dir;
  auto r = run_command(certbed() + " store --json " + shell_quote(one_property_snapshot(dir)),
                       /*merge_stderr=*/false);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto json = Json::parse(r.output, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << r.output;
  EXPECT_EQ(json["certificates"][0]["properties"],
            Json::parse(R"([{"id":2,"name":"CERT_KEY_PROV_INFO_PROP_ID"}])"));
}

}  // namespace
}  // namespace certbed::testing
