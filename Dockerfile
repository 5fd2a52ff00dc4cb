# coachbot in a container: a static binary (pure-Go SQLite, no cgo) on a
# distroless base with CA certificates and time-zone data, running as a
# non-root user, with its database, config and backups in the /data volume.
#
#   docker build -t coachbot --build-arg VERSION=$(git describe --tags --always) .
#   docker run -d --name coachbot -v coachbot-data:/data \
#     -e COACHBOT_TELEGRAM_TOKEN=123:abc -p 127.0.0.1:9090:9090 coachbot
#
# /data/config.yaml is read if present. Health: `coachbot health` asks
# /healthz on ops.listen (COACHBOT_OPS_LISTEN, :9090 here).

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/coachbot ./cmd/coachbot \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/coachbot /usr/local/bin/coachbot
COPY --from=build --chown=65532:65532 /out/data /data
WORKDIR /data
VOLUME /data
ENV COACHBOT_DB=/data/coachbot.db \
    COACHBOT_OPS_LISTEN=:9090
EXPOSE 9090
USER 65532:65532
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/coachbot", "health"]
ENTRYPOINT ["/usr/local/bin/coachbot"]
CMD ["run"]
