{{/* Names ------------------------------------------------------------------ */}}

{{- define "kanal.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "kanal.fullname" -}}
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

{{- define "kanal.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "kanal.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "kanal.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "kanal.configMapName" -}}
{{- printf "%s-config" (include "kanal.fullname" .) }}
{{- end }}

{{- define "kanal.mediaClaimName" -}}
{{- default (printf "%s-media" (include "kanal.fullname" .)) .Values.media.persistence.existingClaim }}
{{- end }}

{{/* Labels ----------------------------------------------------------------- */}}

{{- define "kanal.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kanal.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "kanal.labels" -}}
helm.sh/chart: {{ include "kanal.chart" . }}
{{ include "kanal.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: kanal
{{- end }}

{{/* Labels of one component: (dict "root" $ "component" "web") */}}
{{- define "kanal.componentSelectorLabels" -}}
{{ include "kanal.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "kanal.componentLabels" -}}
{{ include "kanal.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Image -------------------------------------------------------------------- */}}

{{- define "kanal.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Settings ------------------------------------------------------------------ */}}

{{/* ALLOWED_HOSTS: the base domain and its subdomains, every custom domain, extras. */}}
{{- define "kanal.allowedHosts" -}}
{{- $hosts := list (printf ".%s" .Values.baseDomain) }}
{{- range .Values.customDomains }}
{{- $hosts = append $hosts .host }}
{{- end }}
{{- range .Values.extraAllowedHosts }}
{{- $hosts = append $hosts . }}
{{- end }}
{{- $hosts | uniq | join "," }}
{{- end }}

{{/* Non-secret environment as a YAML map: the ConfigMap's data, and the
     migration Job's env (a pre-install hook runs before the ConfigMap exists). */}}
{{- define "kanal.configData" -}}
KANAL_ENV: "production"
DEBUG: "false"
KANAL_BASE_DOMAIN: {{ .Values.baseDomain | quote }}
ALLOWED_HOSTS: {{ include "kanal.allowedHosts" . | quote }}
KANAL_DB_POOL_MODE: {{ .Values.database.poolMode | quote }}
KANAL_TRUSTED_PROXIES: {{ .Values.web.trustedProxies | quote }}
DB_CONN_MAX_AGE: {{ .Values.database.connMaxAge | default 0 | toString | quote }}
MEDIA_ROOT: "/data/media"
LOG_LEVEL: {{ .Values.config.logLevel | quote }}
LOG_FORMAT: {{ .Values.config.logFormat | default "json" | quote }}
SENTRY_TRACES_SAMPLE_RATE: {{ .Values.config.sentryTracesSampleRate | quote }}
CACHE_KEY_PREFIX: {{ .Values.config.cacheKeyPrefix | quote }}
{{- with .Values.config.otpSender }}
KANAL_OTP_SENDER: {{ . | quote }}
{{- end }}
{{- with .Values.config.notifyBackend }}
KANAL_NOTIFY_BACKEND: {{ . | quote }}
{{- end }}
MPLCONFIGDIR: "/tmp/matplotlib"
{{- range $name, $value := .Values.config.extraEnv }}
{{ $name }}: {{ $value | quote }}
{{- end }}
{{- end }}

{{/* One secretKeyRef env entry: (dict "root" $ "env" "SECRET_KEY" "ref" .Values.secrets.secretKey) */}}
{{- define "kanal.secretEnvVar" -}}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ default .root.Values.secrets.existingSecret .ref.secretName | quote }}
      key: {{ .ref.key | quote }}
      {{- if .ref.optional }}
      optional: true
      {{- end }}
{{- end }}

{{/* Secret environment, referenced and never embedded. */}}
{{- define "kanal.secretEnv" -}}
{{- $s := .Values.secrets }}
{{- $vars := list
  (list "SECRET_KEY" $s.secretKey)
  (list "DATABASE_URL" $s.databaseUrl)
  (list "REDIS_URL" $s.redisUrl)
  (list "SENTRY_DSN" $s.sentryDsn)
  (list "STRIPE_API_KEY" $s.stripeApiKey)
  (list "STRIPE_WEBHOOK_SECRET" $s.stripeWebhookSecret)
  (list "METRICS_TOKEN" $s.metricsToken)
  (list "CELERY_BROKER_URL" $s.celeryBrokerUrl) }}
{{- range $vars }}
{{- if index . 1 }}
{{ include "kanal.secretEnvVar" (dict "root" $ "env" (index . 0) "ref" (index . 1)) }}
{{- end }}
{{- end }}
{{- end }}

{{/* env + envFrom of every long-running container (config from the ConfigMap). */}}
{{- define "kanal.podEnv" -}}
envFrom:
  - configMapRef:
      name: {{ include "kanal.configMapName" . }}
  {{- with .Values.secrets.extraEnvFrom }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
env:
  {{- include "kanal.secretEnv" . | trim | nindent 2 }}
{{- end }}

{{/* Security ------------------------------------------------------------------ */}}

{{- define "kanal.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
{{- with .Values.podSecurityContext }}
{{- toYaml . | nindent 0 }}
{{- end }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "kanal.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Volumes ------------------------------------------------------------------- */}}

{{/* (dict "root" $ "media" true) */}}
{{- define "kanal.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .root.Values.tmpSizeLimit | quote }}
{{- if .media }}
- name: media
  {{- if .root.Values.media.persistence.enabled }}
  persistentVolumeClaim:
    claimName: {{ include "kanal.mediaClaimName" .root }}
  {{- else }}
  emptyDir: {}
  {{- end }}
{{- end }}
{{- end }}

{{- define "kanal.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if .media }}
- name: media
  mountPath: /data/media
{{- end }}
{{- end }}

{{/* Common pod spec fields: (dict "root" $ "component" "web" "values" .Values.web).
     A topology spread constraint without a labelSelector gets the component's. */}}
{{- define "kanal.podCommon" -}}
serviceAccountName: {{ include "kanal.serviceAccountName" .root }}
automountServiceAccountToken: false
enableServiceLinks: false
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- include "kanal.podSecurityContext" .root | nindent 2 }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.topologySpreadConstraints }}
{{- $selector := dict "matchLabels" (include "kanal.componentSelectorLabels" $ | fromYaml) }}
topologySpreadConstraints:
  {{- range . }}
  - {{ toYaml (merge (dict) . (dict "labelSelector" $selector)) | nindent 4 | trim }}
  {{- end }}
{{- end }}
{{- end }}

{{/* Pod template metadata: (dict "root" $ "component" "web") */}}
{{- define "kanal.podMetadata" -}}
labels:
  {{- include "kanal.componentSelectorLabels" . | nindent 2 }}
  {{- with .root.Values.podLabels }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
annotations:
  checksum/config: {{ include "kanal.configData" .root | sha256sum }}
  {{- with .root.Values.podAnnotations }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end }}
