# Sourced by test.sh: headless Chromium and its WebDriver for the dashboard test,
# and the Pango/Cairo libraries WeasyPrint needs to render the daily report's PDF.
#
#   source scripts/browser.sh   # exports ACCORD_CHROMIUM and ACCORD_CHROMEDRIVER
#
# Installs the Debian packages `chromium`, `chromium-driver` and `libpango-1.0-0`
# with apt-get when missing (needs root); otherwise only finds them. Without them
# the browser test skips locally and fails in CI (env CI set).

_accord_browser() {
  local need=()
  command -v chromium >/dev/null || need+=(chromium)
  command -v chromedriver >/dev/null || need+=(chromium-driver)
  ldconfig -p 2>/dev/null | grep -q libpango-1.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
  if [ "${#need[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "browser: installing ${need[*]} (apt-get)" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >/dev/null
      apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || return 1
    else
      echo "browser: missing ${need[*]}; run as root on Debian or install them yourself" >&2
      return 0
    fi
  fi
  if command -v chromium >/dev/null; then export ACCORD_CHROMIUM="$(command -v chromium)"; fi
  if command -v chromedriver >/dev/null; then export ACCORD_CHROMEDRIVER="$(command -v chromedriver)"; fi
}
_accord_browser
