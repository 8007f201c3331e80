# syntax=docker/dockerfile:1
#
# orgbaseline's container image: one static binary on distroless, running
# as a non-root user, with the example baseline at
# /etc/orgbaseline/baseline.yaml (mount your own over it).
#
#   docker build --build-arg VERSION=v1.2.3 -t orgbaseline:v1.2.3 .
#   docker buildx build --platform linux/amd64,linux/arm64 ...   (pure Go: cross-compiled, no emulation)
#   docker build --target shell -t orgbaseline:v1.2.3-shell .      (the same, plus a busybox shell: deploy/README.md)
#
# How to run it unattended (Kubernetes, ECS, AWS Batch): deploy/README.md.

# --- build: a static binary, no cgo -----------------------------------------
FROM --platform=$BUILDPLATFORM golang:1.26 AS build
WORKDIR /src
# Modules first, so a source change does not download them again.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
# Set by BuildKit for the platform being built (--platform).
ARG TARGETOS
ARG TARGETARCH
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags "-s -w -X github.com/orgbaseline/orgbaseline/internal/cli.Version=${VERSION}" \
      -o /out/orgbaseline ./cmd/orgbaseline
# The working directory of the images, owned by the non-root user below
# (distroless has no shell to make it there).
RUN mkdir -p /out/work

# --- shell: the same binary with busybox, for runners that cannot expand ----
# variables in a command line (AWS Batch array jobs; see deploy/README.md).
# Not built unless asked for with --target shell.
FROM gcr.io/distroless/static-debian12:debug-nonroot AS shell
COPY --from=build /out/orgbaseline /orgbaseline
COPY baseline.yaml /etc/orgbaseline/baseline.yaml
COPY --from=build --chown=65532:65532 /out/work /work
WORKDIR /work
# 65532 is distroless's "nonroot"; numeric, so Kubernetes can verify
# runAsNonRoot without reading /etc/passwd.
USER 65532:65532
# No entrypoint: the command names the shell or the binary itself.
ENTRYPOINT []
CMD ["/orgbaseline", "--help"]

# --- the image: distroless static, CA certificates included, non-root -------
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/orgbaseline /orgbaseline
COPY baseline.yaml /etc/orgbaseline/baseline.yaml
COPY --from=build --chown=65532:65532 /out/work /work
WORKDIR /work
# 65532 is distroless's "nonroot" user; numeric, so Kubernetes can verify
# runAsNonRoot without reading /etc/passwd.
USER 65532:65532
ENTRYPOINT ["/orgbaseline"]
# The default run: a check of the baseline in the image, JSON logs on
# stderr and the text report on stdout. Exit codes: 0 clean, 1 error,
# 3 failing findings (deploy/README.md).
CMD ["check", "-f", "/etc/orgbaseline/baseline.yaml", "--log-format", "json"]
