# Sourced by test.sh: GDAL's command-line tools (ogr2ogr, ogrinfo) for the OGC API
# tests, which read the server as a GIS client does through GDAL's OAPIF driver.
#
#   source scripts/gdal.sh   # exports ACCORD_OGR2OGR and ACCORD_OGRINFO
#
# Installs the Debian package `gdal-bin` with apt-get when missing (needs root);
# otherwise only finds it. Without it the GDAL tests skip locally and fail in CI
# (env CI set).

_accord_gdal() {
  if ! command -v ogr2ogr >/dev/null || ! command -v ogrinfo >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "gdal: installing gdal-bin (apt-get)" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >/dev/null
      apt-get install -y -qq --no-install-recommends gdal-bin >/dev/null || return 1
    else
      echo "gdal: missing gdal-bin; run as root on Debian or install it yourself" >&2
      return 0
    fi
  fi
  export ACCORD_OGR2OGR="$(command -v ogr2ogr)"
  export ACCORD_OGRINFO="$(command -v ogrinfo)"
}
_accord_gdal
