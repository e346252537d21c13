{{/*
Names and labels, in the shape `helm create` and the Bitnami/ingress-nginx charts use.
Selector labels are name + instance (+ component): they are immutable on Deployments.
*/}}

{{- define "ticketping.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "ticketping.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "ticketping.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object. */}}
{{- define "ticketping.labels" -}}
helm.sh/chart: {{ include "ticketping.chart" . }}
{{ include "ticketping.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: ticketping
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "ticketping.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ticketping.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of one component: (dict "root" $ "component" "gateway"). */}}
{{- define "ticketping.componentLabels" -}}
{{ include "ticketping.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
Pod template labels of the data StatefulSets (Redis, Postgres, Kafka): no chart version and no app
version, so a chart upgrade that changes nothing in them does not restart the data stores.
*/}}
{{- define "ticketping.dataPodLabels" -}}
{{ include "ticketping.componentSelectorLabels" . }}
app.kubernetes.io/part-of: ticketping
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "ticketping.componentSelectorLabels" -}}
{{ include "ticketping.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* The services, in the order objects are rendered. */}}
{{- define "ticketping.serviceNames" -}}
gateway auth catalog queue booking payment tickets
{{- end }}

{{/* Deployments whose replicas the queue-scaler operator owns when queueScaler.enabled. */}}
{{- define "ticketping.scaledServices" -}}
queue booking gateway
{{- end }}

{{- define "ticketping.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "ticketping.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Image of a service: (dict "root" $ "service" "gateway"). */}}
{{- define "ticketping.image" -}}
{{- $values := index .root.Values .service }}
{{- $registry := default .root.Values.image.registry .root.Values.global.imageRegistry }}
{{- $repository := default (printf "%s/%s" .root.Values.image.repositoryPrefix .service) $values.image.repository }}
{{- $tag := default (default .root.Chart.AppVersion .root.Values.image.tag) $values.image.tag }}
{{- if $registry }}{{ printf "%s/%s:%s" $registry $repository $tag }}{{ else }}{{ printf "%s:%s" $repository $tag }}{{ end }}
{{- end }}

{{/* A dependency image (redis:7.4, ...), with global.imageRegistry when set. */}}
{{- define "ticketping.dependencyImage" -}}
{{- if .root.Values.global.imageRegistry }}{{ printf "%s/%s" .root.Values.global.imageRegistry .image }}{{ else }}{{ .image }}{{ end }}
{{- end }}

{{/* In-cluster URL of a service: (dict "root" $ "service" "auth"). */}}
{{- define "ticketping.serviceUrl" -}}
{{- printf "http://%s-%s.%s.svc:%d" (include "ticketping.fullname" .root) .service .root.Release.Namespace (int .root.Values.service.port) }}
{{- end }}

{{- define "ticketping.webOrigin" -}}
{{- if .Values.config.webOrigin }}
{{- .Values.config.webOrigin }}
{{- else if .Values.ingress.enabled }}
{{- printf "%s://%s" (ternary "https" "http" .Values.ingress.tls) .Values.ingress.hostname }}
{{- end }}
{{- end }}

{{/* "true" when fans' status polls go from the ingress straight to the queue (ingress.statusPollsToQueue); empty otherwise. */}}
{{- define "ticketping.oneHop" -}}
{{- if and .Values.ingress.enabled .Values.ingress.statusPollsToQueue.enabled }}true{{ end }}
{{- end }}

{{/* Checks on values the schema cannot express; every template includes it through the Secret. */}}
{{- define "ticketping.validate" -}}
{{- if and (include "ticketping.oneHop" .) .Values.queueScaler.enabled (eq .Values.queueScaler.queue.source.metric "requestRate") (eq .Values.queueScaler.queue.countRequestsAt "gateway") }}
{{- fail "ingress.statusPollsToQueue sends fans' status polls past the gateway, whose pods would no longer count them: set queueScaler.queue.countRequestsAt=queue" }}
{{- end }}
{{- if not (has .Values.redis.mode (list "statefulset" "external")) }}
{{- fail (printf "redis.mode must be statefulset or external, not %q" .Values.redis.mode) }}
{{- end }}
{{- if and (eq .Values.redis.mode "external") (not (or .Values.redis.external.url .Values.redis.external.existingSecret .Values.redis.external.clusterNodes)) }}
{{- fail "redis.mode=external needs redis.external.url, redis.external.existingSecret or redis.external.clusterNodes" }}
{{- end }}
{{- if not (has .Values.kafka.mode (list "statefulset" "strimzi" "external")) }}
{{- fail (printf "kafka.mode must be statefulset, strimzi or external, not %q" .Values.kafka.mode) }}
{{- end }}
{{- if and (eq .Values.kafka.mode "external") (not .Values.kafka.external.brokers) }}
{{- fail "kafka.mode=external needs kafka.external.brokers" }}
{{- end }}
{{- if gt (int .Values.kafka.minInsyncReplicas) (int .Values.kafka.replicationFactor) }}
{{- fail "kafka.minInsyncReplicas cannot exceed kafka.replicationFactor" }}
{{- end }}
{{- if and (ne .Values.kafka.mode "external") (gt (int .Values.kafka.replicationFactor) (int .Values.kafka.replicas)) }}
{{- fail "kafka.replicationFactor cannot exceed kafka.replicas" }}
{{- end }}
{{- if not (has .Values.postgres.mode (list "statefulset" "cloudnativepg" "external")) }}
{{- fail (printf "postgres.mode must be statefulset, cloudnativepg or external, not %q" .Values.postgres.mode) }}
{{- end }}
{{- if and (eq .Values.postgres.mode "external") (not (or .Values.postgres.external.url .Values.postgres.external.existingSecret)) }}
{{- fail "postgres.mode=external needs postgres.external.url or postgres.external.existingSecret" }}
{{- end }}
{{- /* helm template cannot `lookup` the live Secret: anything generated would change on every render. */}}
{{- if .Values.gitops }}
{{- $generated := list }}
{{- if not .Values.secrets.existingSecret }}
{{- range $key := list "internalToken" "adminPassword" "authSigningKey" "queueSigningKey" "ticketSigningKeys" }}
{{- if not (index $.Values.secrets $key) }}{{ $generated = append $generated (printf "secrets.%s" $key) }}{{ end }}
{{- end }}
{{- end }}
{{- if and (eq .Values.postgres.mode "statefulset") (not (or .Values.postgres.statefulset.existingSecret .Values.postgres.statefulset.password)) }}
{{- $generated = append $generated "postgres.statefulset.password" }}
{{- end }}
{{- if $generated }}
{{- fail (printf "gitops=true: helm template cannot read the live Secret back, so %s would be generated anew on every render; set secrets.existingSecret and postgres.statefulset.existingSecret (or give the values)" (join ", " $generated)) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Security settings of a dependency pod (Redis, Postgres, Kafka): the image's own non-root user.
(dict "uid" 999) → pod securityContext; "ticketping.dependencyContainerSecurity" → container's.
*/}}
{{- define "ticketping.dependencyPodSecurity" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .uid }}
fsGroup: {{ .uid }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "ticketping.dependencyContainerSecurity" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end }}

{{/* volumeClaimTemplates entry "data": (dict "persistence" <values>). */}}
{{- define "ticketping.dataVolumeClaim" -}}
- metadata:
    name: data
  spec:
    accessModes: [ReadWriteOnce]
    {{- with .persistence.storageClass }}
    storageClassName: {{ . }}
    {{- end }}
    resources:
      requests:
        storage: {{ .persistence.size }}
{{- end }}

{{/*
Init containers of a service with a database, (dict "root" $ "service" "booking"): wait until
Postgres answers, then run the service image's migrate script on its own schema.

Why init containers and not a Helm hook Job: the in-cluster Postgres and the chart's Secret are
ordinary release objects, so a pre-install hook would wait for a database that is not created
until it ends, and a post-install hook runs only after `helm install --wait` has waited for pods
that cannot become Ready without their schema: a deadlock either way. Argo CD maps the same hooks
to PreSync/PostSync, with the same deadlocks. As init containers, the migrations go with the
objects themselves: `--wait`, Argo CD and Flux all see a pod Ready only after its schema is
migrated, and in a rolling upgrade the first new pod migrates before any new code serves while
the old pods keep serving (migrations stay expand-then-contract, as they had to before). Runs of
the same service's pods take turns on an advisory lock (migrateFromEnvironment), and a run with
nothing to do is a few queries; an older image (a rollback) starts on the newer schema unchanged.
*/}}
{{- define "ticketping.migrationContainers" -}}
{{- $root := .root }}
{{- $databaseUrl := include "ticketping.databaseUrlEnv" $root | trim }}
initContainers:
  - name: wait-for-postgres
    image: {{ include "ticketping.dependencyImage" (dict "root" $root "image" $root.Values.postgres.statefulset.image) }}
    command: [sh, -c, 'until pg_isready --timeout=5 --dbname="$DATABASE_URL"; do sleep 2; done']
    env:
      {{- $databaseUrl | nindent 6 }}
    resources:
      {{- toYaml $root.Values.migrations.resources | nindent 6 }}
    securityContext:
      {{- toYaml $root.Values.containerSecurityContext | nindent 6 }}
  - name: migrate
    image: {{ include "ticketping.image" (dict "root" $root "service" .service) }}
    imagePullPolicy: {{ $root.Values.image.pullPolicy }}
    command:
      {{- toYaml $root.Values.migrations.command | nindent 6 }}
    env:
      {{- $databaseUrl | nindent 6 }}
      - name: LOG_LEVEL
        value: {{ $root.Values.config.logLevel | quote }}
    resources:
      {{- toYaml $root.Values.migrations.resources | nindent 6 }}
    securityContext:
      {{- toYaml $root.Values.containerSecurityContext | nindent 6 }}
    volumeMounts:
      - name: tmp
        mountPath: /tmp
{{- end }}
