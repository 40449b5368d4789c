// The independent side of the PCD tests and benchmark: Debian's libpcl-dev reading and writing PCD files.
//   pcl-probe dump IN OUT   read IN with PCL (pcl::PCDReader into pcl::PCLPointCloud2); write OUT as one JSON line
//                           (width, height, point_step, fields) and then PCL's point data bytes. Exit 3 if PCL refuses.
//   pcl-probe write DIR     write a corpus of clouds with PCL's own writers (savePCDFile*, PCDWriter) into DIR.
//   pcl-probe serve         for each path on stdin, load it with pcl::io::loadPCDFile and print "<ns> <points>".
//   pcl-probe strto         for each decimal on stdin, print the bits of the C library's strtof and strtod of it
//                           (correctly rounded, each straight from the decimal) as "<8 hex digits> <16 hex digits>".
#include <pcl/PCLPointCloud2.h>
#include <pcl/io/pcd_io.h>
#include <pcl/point_cloud.h>
#include <pcl/point_types.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iostream>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

std::string jsonString(const std::string &text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", c);
      out += escape;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

int dump(const std::string &in, const std::string &out) {
  pcl::PCLPointCloud2 cloud;
  Eigen::Vector4f origin;
  Eigen::Quaternionf orientation;
  int version = 0;
  pcl::PCDReader reader;
  if (reader.read(in, cloud, origin, orientation, version) < 0) return 3;
  std::ofstream file(out, std::ios::binary);
  file << "{\"width\":" << cloud.width << ",\"height\":" << cloud.height << ",\"point_step\":" << cloud.point_step
       << ",\"fields\":[";
  for (std::size_t i = 0; i < cloud.fields.size(); ++i) {
    const auto &field = cloud.fields[i];
    file << (i ? "," : "") << "{\"name\":" << jsonString(field.name) << ",\"datatype\":" << int(field.datatype)
         << ",\"offset\":" << field.offset << ",\"count\":" << field.count << "}";
  }
  file << "]}\n";
  file.write(reinterpret_cast<const char *>(cloud.data.data()), static_cast<std::streamsize>(cloud.data.size()));
  return file.good() ? 0 : 4;
}

int serve() {
  std::string path;
  while (std::getline(std::cin, path)) {
    pcl::PCLPointCloud2 cloud;
    const auto start = std::chrono::steady_clock::now();
    const int result = pcl::io::loadPCDFile(path, cloud);
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start);
    if (result < 0) std::cout << "error" << std::endl;
    else std::cout << ns.count() << " " << cloud.width * cloud.height << std::endl;
  }
  return 0;
}

int strto() {
  std::string token;
  while (std::getline(std::cin, token)) {
    const float single = std::strtof(token.c_str(), nullptr);
    const double dbl = std::strtod(token.c_str(), nullptr);
    std::uint32_t singleBits;
    std::uint64_t doubleBits;
    std::memcpy(&singleBits, &single, 4);
    std::memcpy(&doubleBits, &dbl, 8);
    char line[40];
    std::snprintf(line, sizeof line, "%08x %016llx\n", singleBits, static_cast<unsigned long long>(doubleBits));
    std::cout << line;
  }
  return 0;
}

// Values that exercise the readers: wide magnitudes, signs, -0, tiny and huge floats.
float wildFloat(std::mt19937 &random, int i) {
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  std::uniform_int_distribution<int> exponent(-40, 38);
  switch (i % 11) {
    case 0: return -0.0f;
    case 1: return std::numeric_limits<float>::max();
    case 2: return std::numeric_limits<float>::min();
    case 3: return std::numeric_limits<float>::denorm_min() * float(1 + i % 100);
    default: return unit(random) * std::pow(10.0f, float(exponent(random)));
  }
}

template <typename Point>
void saveAllForms(const std::string &dir, const std::string &name, const pcl::PointCloud<Point> &cloud) {
  pcl::io::savePCDFileASCII(dir + "/" + name + "-ascii.pcd", cloud);
  pcl::io::savePCDFileBinary(dir + "/" + name + "-binary.pcd", cloud);
  pcl::io::savePCDFileBinaryCompressed(dir + "/" + name + "-binary_compressed.pcd", cloud);
}

void saveAllForms(const std::string &dir, const std::string &name, const pcl::PCLPointCloud2 &cloud) {
  pcl::PCDWriter writer;
  const Eigen::Vector4f origin = Eigen::Vector4f::Zero();
  const Eigen::Quaternionf orientation = Eigen::Quaternionf::Identity();
  writer.writeASCII(dir + "/" + name + "-ascii.pcd", cloud, origin, orientation, 8);
  writer.writeASCII(dir + "/" + name + "-ascii17.pcd", cloud, origin, orientation, 17);
  writer.writeBinary(dir + "/" + name + "-binary.pcd", cloud, origin, orientation);
  writer.writeBinaryCompressed(dir + "/" + name + "-binary_compressed.pcd", cloud, origin, orientation);
}

pcl::PCLPointField field(const std::string &name, std::uint32_t offset, std::uint8_t datatype, std::uint32_t count) {
  pcl::PCLPointField f;
  f.name = name;
  f.offset = offset;
  f.datatype = datatype;
  f.count = count;
  return f;
}

// A cloud built field by field: every PCL type, COUNT > 1, upper-case names, and a gap PCL writes as `_` padding.
pcl::PCLPointCloud2 everyTypeCloud(std::mt19937 &random, std::uint32_t width, std::uint32_t height) {
  using F = pcl::PCLPointField;
  pcl::PCLPointCloud2 cloud;
  cloud.width = width;
  cloud.height = height;
  std::uint32_t offset = 0;
  auto add = [&](const std::string &name, std::uint8_t type, std::uint32_t size, std::uint32_t count) {
    cloud.fields.push_back(field(name, offset, type, count));
    offset += size * count;
  };
  add("X", F::FLOAT32, 4, 1);
  add("Y", F::FLOAT32, 4, 1);
  add("Z", F::FLOAT32, 4, 1);
  add("Intensity", F::FLOAT32, 4, 1);
  add("i8", F::INT8, 1, 1);
  add("u8", F::UINT8, 1, 3);
  offset += 2;  // a gap: PCL writes it as a `_` field
  add("i16", F::INT16, 2, 1);
  add("u16", F::UINT16, 2, 1);
  add("i32", F::INT32, 4, 2);
  add("u32", F::UINT32, 4, 1);
  add("i64", F::INT64, 8, 1);
  add("u64", F::UINT64, 8, 1);
  add("f64", F::FLOAT64, 8, 2);
  cloud.point_step = offset;
  cloud.row_step = offset * width;
  cloud.is_dense = false;
  cloud.data.assign(std::size_t(cloud.row_step) * height, 0);
  std::uniform_int_distribution<std::uint64_t> bits;
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  for (std::uint32_t p = 0; p < width * height; ++p) {
    std::uint8_t *point = cloud.data.data() + std::size_t(p) * cloud.point_step;
    for (const auto &f : cloud.fields) {
      std::uint8_t *at = point + f.offset;
      for (std::uint32_t k = 0; k < f.count; ++k) {
        if (f.datatype == F::FLOAT32) {
          float v = wildFloat(random, int(p * 7 + k));
          if (p % 13 == 5) v = std::numeric_limits<float>::quiet_NaN();
          std::memcpy(at + 4 * k, &v, 4);
        } else if (f.datatype == F::FLOAT64) {
          double v = unit(random) * std::pow(10.0, double(int(bits(random) % 600) - 300));
          if (p % 17 == 3) v = std::numeric_limits<double>::quiet_NaN();
          std::memcpy(at + 8 * k, &v, 8);
        } else {
          std::uint64_t v = bits(random);
          // Extremes of every integer type too.
          if (p % 5 == 0) v = 0;
          if (p % 5 == 1) v = ~std::uint64_t(0);
          if (p % 5 == 2) v = std::uint64_t(1) << 63;
          const std::size_t size = pcl::getFieldSize(f.datatype);
          std::memcpy(at + size * k, &v, size);
        }
      }
    }
  }
  return cloud;
}

int write(const std::string &dir) {
  std::mt19937 random(20261201);
  // A lidar-like unorganized cloud.
  pcl::PointCloud<pcl::PointXYZI> scan;
  for (int i = 0; i < 2000; ++i) {
    pcl::PointXYZI p;
    p.x = wildFloat(random, i);
    p.y = float(i) * 0.1f - 50.0f;
    p.z = std::sin(float(i)) * 3.0f;
    p.intensity = float(i % 256);
    scan.push_back(p);
  }
  saveAllForms(dir, "xyzi", scan);
  // An organized cloud with missing returns (NaN), as stereo and depth cameras write them.
  pcl::PointCloud<pcl::PointXYZ> organized(32, 24);
  for (std::size_t i = 0; i < organized.size(); ++i) {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const bool missing = i % 7 == 0;
    organized[i] = missing ? pcl::PointXYZ(nan, nan, nan) : pcl::PointXYZ(float(i % 32), float(i / 32), 1.5f);
  }
  organized.is_dense = false;
  saveAllForms(dir, "organized-nan", organized);
  // Point types whose memory layout has padding and packed colour.
  pcl::PointCloud<pcl::PointXYZRGBA> colour;
  pcl::PointCloud<pcl::PointNormal> normals;
  for (int i = 0; i < 500; ++i) {
    pcl::PointXYZRGBA c;
    c.x = wildFloat(random, i);
    c.y = 1.0f / float(i + 1);
    c.z = -float(i);
    c.rgba = std::uint32_t(random());
    colour.push_back(c);
    pcl::PointNormal n;
    n.x = float(i);
    n.y = wildFloat(random, i + 3);
    n.z = 0.5f;
    n.normal_x = 0.0f;
    n.normal_y = 1.0f;
    n.normal_z = std::sqrt(2.0f) / 2.0f;
    n.curvature = wildFloat(random, i + 5);
    normals.push_back(n);
  }
  saveAllForms(dir, "xyzrgba", colour);
  saveAllForms(dir, "normals", normals);
  // 33 values a point.
  pcl::PointCloud<pcl::FPFHSignature33> fpfh;
  for (int i = 0; i < 100; ++i) {
    pcl::FPFHSignature33 s;
    for (int k = 0; k < 33; ++k) s.histogram[k] = wildFloat(random, i * 33 + k);
    fpfh.push_back(s);
  }
  saveAllForms(dir, "fpfh33", fpfh);
  saveAllForms(dir, "every-type", everyTypeCloud(random, 40, 25));
  saveAllForms(dir, "every-type-row", everyTypeCloud(random, 1, 1));
  pcl::PointCloud<pcl::PointXYZ> empty;
  pcl::io::savePCDFileBinary(dir + "/empty-binary.pcd", empty);
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  pcl::console::setVerbosityLevel(pcl::console::L_ALWAYS);
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "dump" && argc == 4) return dump(argv[2], argv[3]);
  if (mode == "write" && argc == 3) return write(argv[2]);
  if (mode == "serve" && argc == 2) return serve();
  if (mode == "strto" && argc == 2) return strto();
  std::cerr << "usage: pcl-probe dump IN OUT | write DIR | serve | strto\n";
  return 2;
}
