"""Kubernetes manifests for OneTeam, generated from the service table and the topic registry."""
