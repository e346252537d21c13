#!/usr/bin/env bash
# Resolves the Kafka broker jars (KRaft, no ZooKeeper) with Maven into the cache outside the repo.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
CACHE="${TICKETPING_CACHE:-$HOME/.cache/ticketping}"
version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/kafka/pom.xml")
dest="$CACHE/kafka-$version"
[[ -f "$dest/.complete" ]] && { echo "$dest"; exit 0; }
command -v mvn >/dev/null || { echo "[kafka] Maven (mvn) and Java 17 are required to fetch the Kafka broker" >&2; exit 1; }
echo "[kafka] resolving kafka_2.13 $version with Maven" >&2
rm -rf "$dest" && mkdir -p "$dest/libs"
mvn -q -B -f "$here/kafka/pom.xml" dependency:copy-dependencies -DoutputDirectory="$dest/libs" -DincludeScope=runtime >&2
touch "$dest/.complete"
echo "$dest"
