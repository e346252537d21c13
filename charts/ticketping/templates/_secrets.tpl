{{/*
Secret material and where each secret environment variable comes from.
*/}}

{{- define "ticketping.secretName" -}}
{{ include "ticketping.fullname" . }}-secrets
{{- end }}

{{/* Holder of the application secrets: the user's existingSecret or the chart's Secret. */}}
{{- define "ticketping.appSecretName" -}}
{{- default (include "ticketping.secretName" .) .Values.secrets.existingSecret }}
{{- end }}

{{/*
A fresh Ed25519 signing key as JSON: {"private": <JWK with d>, "public": <JWK>}.
Sprig can make an Ed25519 key but only hands out PEM. The PKCS#8 DER of an Ed25519 key is a fixed
16-byte header followed by the 32-byte seed (the JWK's `d`). The public key (`x`) is not in it, so
a throwaway self-signed certificate is made from the key: its SubjectPublicKeyInfo holds `x` right
after the Ed25519 algorithm identifier and the bit-string header (06 03 2b 65 70 03 21 00).
The chart's tests import the result with node:crypto and check that `x` belongs to `d`.
*/}}
{{- define "ticketping.generateEd25519Jwk" -}}
{{- $pem := genPrivateKey "ed25519" }}
{{- $der := $pem | replace "-----BEGIN PRIVATE KEY-----" "" | replace "-----END PRIVATE KEY-----" "" | nospace | b64dec }}
{{- $cert := genSelfSignedCertWithKey "ticketping" nil nil 1 $pem }}
{{- $certDer := $cert.Cert | replace "-----BEGIN CERTIFICATE-----" "" | replace "-----END CERTIFICATE-----" "" | nospace | b64dec }}
{{- $publicKey := index (splitList "\x06\x03\x2b\x65\x70\x03\x21\x00" $certDer) 1 | substr 0 32 }}
{{- $d := $der | substr 16 48 | b64enc | replace "+" "-" | replace "/" "_" | trimSuffix "=" }}
{{- $x := $publicKey | b64enc | replace "+" "-" | replace "/" "_" | trimSuffix "=" }}
{{- $public := dict "kty" "OKP" "crv" "Ed25519" "x" $x "kid" (printf "%s-%s" .purpose (randAlphaNum 10 | lower)) "alg" "EdDSA" "use" "sig" }}
{{- toJson (dict "private" (merge (dict "d" $d) $public) "public" $public) }}
{{- end }}

{{/* The public JWKS of private JWK JSON (one key or an array of keys). */}}
{{- define "ticketping.publicJwks" -}}
{{- $parsed := fromJson (printf "{\"keys\": %s}" (trim .)) }}
{{- $keys := $parsed.keys }}
{{- if kindIs "map" $keys }}{{ $keys = list $keys }}{{ end }}
{{- $public := list }}
{{- range $keys }}
{{- $public = append $public (omit . "d") }}
{{- end }}
{{- toJson (dict "keys" $public) }}
{{- end }}

{{/*
A signing key pair for (dict "root" $ "purpose" "auth" "given" <values key> "existing" <Secret data>
"keyName" "AUTH_SIGNING_KEY" "jwksName" "AUTH_JWKS"): a key from values wins, then the one already
stored (so upgrades keep it), then a new one. Returns {"key": ..., "jwks": ...} as JSON.
*/}}
{{- define "ticketping.signingKeyPair" -}}
{{- if .given }}
{{- toJson (dict "key" .given "jwks" (include "ticketping.publicJwks" .given)) }}
{{- else if and (hasKey .existing .keyName) (hasKey .existing .jwksName) }}
{{- toJson (dict "key" (index .existing .keyName | b64dec) "jwks" (index .existing .jwksName | b64dec)) }}
{{- else }}
{{- $generated := include "ticketping.generateEd25519Jwk" (dict "purpose" .purpose) | fromJson }}
{{- toJson (dict "key" (toJson $generated.private) "jwks" (toJson (dict "keys" (list $generated.public)))) }}
{{- end }}
{{- end }}

{{/* A value from values, else the stored one, else a random one: (dict "given" "existing" "key" "length"). */}}
{{- define "ticketping.keptOrRandom" -}}
{{- if .given }}{{ .given }}
{{- else if hasKey .existing .key }}{{ index .existing .key | b64dec }}
{{- else }}{{ randAlphaNum (int .length) }}
{{- end }}
{{- end }}

{{/*
DATABASE_URL as env entries. With postgres.statefulset.existingSecret the password is only in that
Secret, so the URL is put together by Kubernetes ($(VAR) expands a variable listed before it).
*/}}
{{- define "ticketping.databaseUrlEnv" -}}
{{- if and (eq .Values.postgres.mode "statefulset") .Values.postgres.statefulset.existingSecret }}
{{ include "ticketping.secretEnv" (dict "name" "DATABASE_PASSWORD" "ref" (include "ticketping.postgresPasswordRef" .)) }}
- name: DATABASE_URL
  value: {{ printf "postgres://%s:$(DATABASE_PASSWORD)@%s-postgres.%s.svc:5432/%s" .Values.postgres.username (include "ticketping.fullname" .) .Release.Namespace .Values.postgres.database | quote }}
{{- else }}
{{ include "ticketping.secretEnv" (dict "name" "DATABASE_URL" "ref" (include "ticketping.databaseUrlRef" .)) }}
{{- end }}
{{- end }}

{{/* secretKeyRef {name, key} of the in-cluster Postgres owner's password. */}}
{{- define "ticketping.postgresPasswordRef" -}}
{{- if .Values.postgres.statefulset.existingSecret }}
name: {{ .Values.postgres.statefulset.existingSecret }}
key: {{ .Values.postgres.statefulset.existingSecretPasswordKey }}
{{- else }}
name: {{ include "ticketping.secretName" . }}
key: POSTGRES_PASSWORD
{{- end }}
{{- end }}

{{/* secretKeyRef {name, key} of DATABASE_URL (not for a statefulset Postgres with an existingSecret). */}}
{{- define "ticketping.databaseUrlRef" -}}
{{- if eq .Values.postgres.mode "cloudnativepg" }}
name: {{ include "ticketping.fullname" . }}-postgres-app
key: uri
{{- else if and (eq .Values.postgres.mode "external") .Values.postgres.external.existingSecret }}
name: {{ .Values.postgres.external.existingSecret }}
key: {{ .Values.postgres.external.existingSecretKey }}
{{- else }}
name: {{ include "ticketping.secretName" . }}
key: DATABASE_URL
{{- end }}
{{- end }}

{{/* secretKeyRef {name, key} of REDIS_URL; empty when a Redis Cluster is used (REDIS_CLUSTER_NODES). */}}
{{- define "ticketping.redisUrlRef" -}}
{{- if and (eq .Values.redis.mode "external") .Values.redis.external.existingSecret }}
name: {{ .Values.redis.external.existingSecret }}
key: {{ .Values.redis.external.existingSecretKey }}
{{- else if or (eq .Values.redis.mode "statefulset") .Values.redis.external.url }}
name: {{ include "ticketping.secretName" . }}
key: REDIS_URL
{{- end }}
{{- end }}

{{- define "ticketping.kafkaBrokers" -}}
{{- $fullname := include "ticketping.fullname" . }}
{{- if eq .Values.kafka.mode "statefulset" }}
{{- $brokers := list }}
{{- range $i := until (int .Values.kafka.replicas) }}
{{- $brokers = append $brokers (printf "%s-kafka-%d.%s-kafka-headless.%s.svc:9092" $fullname $i $fullname $.Release.Namespace) }}
{{- end }}
{{- join "," $brokers }}
{{- else if eq .Values.kafka.mode "strimzi" }}
{{- printf "%s-kafka-bootstrap.%s.svc:9092" $fullname .Release.Namespace }}
{{- else }}
{{- join "," .Values.kafka.external.brokers }}
{{- end }}
{{- end }}
