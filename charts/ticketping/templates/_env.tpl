{{/*
Environment of one service container: (dict "root" $ "service" "gateway").
Secrets come by key from the Secret that holds them, so a service only sees the keys it needs.
*/}}
{{- define "ticketping.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      {{- .ref | trim | nindent 6 }}
{{- end }}

{{- define "ticketping.appSecretEnv" -}}
{{- $ref := printf "name: %s\nkey: %s" (include "ticketping.appSecretName" .root) .name }}
{{- include "ticketping.secretEnv" (dict "name" .name "ref" $ref) }}
{{- end }}

{{/*
SMTP_URL (with the login from mail.smtp.existingSecret: Kubernetes expands $(VAR) of variables
listed before it), MAIL_FROM and PUBLIC_URL (the fans' pages the mails link to), for the services
that send mail.
*/}}
{{- define "ticketping.mailEnv" -}}
{{- $smtp := .Values.mail.smtp }}
{{- if $smtp.host }}
{{- $scheme := ternary "smtps" "smtp" $smtp.tls }}
{{- if $smtp.existingSecret }}
{{ include "ticketping.secretEnv" (dict "name" "SMTP_USERNAME" "ref" (printf "name: %s\nkey: %s" $smtp.existingSecret $smtp.usernameKey)) }}
{{ include "ticketping.secretEnv" (dict "name" "SMTP_PASSWORD" "ref" (printf "name: %s\nkey: %s" $smtp.existingSecret $smtp.passwordKey)) }}
- name: SMTP_URL
  value: {{ printf "%s://$(SMTP_USERNAME):$(SMTP_PASSWORD)@%s:%d" $scheme $smtp.host (int $smtp.port) | quote }}
{{- else }}
- name: SMTP_URL
  value: {{ printf "%s://%s:%d" $scheme $smtp.host (int $smtp.port) | quote }}
{{- end }}
- name: MAIL_FROM
  value: {{ .Values.mail.from | quote }}
{{- end }}
{{- with include "ticketping.webOrigin" . }}
- name: PUBLIC_URL
  value: {{ . | quote }}
{{- end }}
{{- end }}

{{- define "ticketping.env" -}}
{{- $root := .root }}
{{- $service := .service }}
{{- $values := index $root.Values $service }}
- name: PORT
  value: "8080"
- name: MANAGEMENT_PORT
  value: {{ $root.Values.service.managementPort | quote }}
- name: HOST
  value: "0.0.0.0"
- name: OTEL_SERVICE_NAME
  value: {{ $service }}
{{ include "ticketping.appSecretEnv" (dict "root" $root "name" "INTERNAL_TOKEN") }}
{{- if $values.uses.postgres }}
{{ include "ticketping.databaseUrlEnv" $root | trim }}
{{- end }}
{{- $redisRef := include "ticketping.redisUrlRef" $root }}
{{- if and $values.uses.redis $redisRef }}
{{ include "ticketping.secretEnv" (dict "name" "REDIS_URL" "ref" $redisRef) }}
{{- end }}
{{- if eq $service "gateway" }}
{{- range $target := list "auth" "catalog" "queue" "booking" "payment" "tickets" }}
- name: {{ upper $target }}_URL
  value: {{ include "ticketping.serviceUrl" (dict "root" $root "service" $target) | quote }}
{{- end }}
{{ include "ticketping.appSecretEnv" (dict "root" $root "name" "AUTH_JWKS") }}
{{ include "ticketping.appSecretEnv" (dict "root" $root "name" "QUEUE_JWKS") }}
{{- with include "ticketping.webOrigin" $root }}
- name: WEB_ORIGIN
  value: {{ . | quote }}
{{- end }}
{{- with $root.Values.config.faroCollectorUrl }}
- name: FARO_COLLECTOR_URL
  value: {{ . | quote }}
{{- end }}
{{- else if eq $service "auth" }}
{{ include "ticketping.appSecretEnv" (dict "root" $root "name" "AUTH_SIGNING_KEY") }}
{{ include "ticketping.appSecretEnv" (dict "root" $root "name" "ADMIN_EMAIL") }}
{{ include "ticketping.appSecretEnv" (dict "root" $root "name" "ADMIN_PASSWORD") }}
{{- include "ticketping.mailEnv" $root }}
{{- else if eq $service "queue" }}
{{ include "ticketping.appSecretEnv" (dict "root" $root "name" "QUEUE_SIGNING_KEY") }}
{{- if include "ticketping.oneHop" $root }}
{{- /* fans' own status polls come straight from the ingress: the gateway's access-token keys and CORS origins */}}
- name: QUEUE_ONE_HOP
  value: "true"
{{ include "ticketping.appSecretEnv" (dict "root" $root "name" "AUTH_JWKS") }}
{{- with include "ticketping.webOrigin" $root }}
- name: WEB_ORIGIN
  value: {{ . | quote }}
{{- end }}
{{- end }}
{{- /* the waiting rooms Redis loses are rebuilt from catalog's performances on sale; presale access codes are redeemed there */}}
- name: CATALOG_URL
  value: {{ include "ticketping.serviceUrl" (dict "root" $root "service" "catalog") | quote }}
{{- with $values.proofOfWork }}
{{- /* int64: helm reads numbers as floats, and a large one would print as 1e+08 */}}
- name: QUEUE_POW_MAX_NUMBER
  value: {{ .maxNumber | int64 | quote }}
- name: QUEUE_POW_TTL_SECONDS
  value: {{ .ttlSeconds | int64 | quote }}
- name: QUEUE_POW_RANGE_STEP
  value: {{ .rangeStep | int64 | quote }}
- name: QUEUE_POW_RANGE_WINDOW_SECONDS
  value: {{ .rangeWindowSeconds | int64 | quote }}
- name: QUEUE_POW_MAX_DOUBLINGS
  value: {{ .maxDoublings | int64 | quote }}
{{- end }}
{{- else if eq $service "booking" }}
{{ include "ticketping.appSecretEnv" (dict "root" $root "name" "QUEUE_JWKS") }}
- name: RETURN_FEE_PERCENT
  value: {{ $values.returnFee.percent | quote }}
- name: RETURN_FEE_MINIMUM
  value: {{ $values.returnFee.minimum | quote }}
{{- /* The waitlist offer e-mail: the fan's address from auth's internal contact lookup. */}}
- name: AUTH_URL
  value: {{ include "ticketping.serviceUrl" (dict "root" $root "service" "auth") | quote }}
{{- include "ticketping.mailEnv" $root }}
{{- else if eq $service "payment" }}
- name: PAYMENT_PROVIDER
  value: {{ $root.Values.config.paymentProvider | quote }}
{{- /* an order whose order.created has not arrived yet is read from booking */}}
- name: BOOKING_URL
  value: {{ include "ticketping.serviceUrl" (dict "root" $root "service" "booking") | quote }}
{{- else if eq $service "tickets" }}
{{ include "ticketping.appSecretEnv" (dict "root" $root "name" "TICKET_SIGNING_KEYS") }}
{{- /* Transfers and staff grants name accounts by e-mail: auth's internal lookup. */}}
- name: AUTH_URL
  value: {{ include "ticketping.serviceUrl" (dict "root" $root "service" "auth") | quote }}
{{- include "ticketping.mailEnv" $root }}
{{- end }}
{{- with $root.Values.config.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- with $values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}
