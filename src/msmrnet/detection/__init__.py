"""Scoring new flow records with a trained model: streaming file reader and detector."""

from msmrnet.detection.detector import DetectionSummary, detect_file
from msmrnet.detection.reader import FlowChunk, read_flow_chunks

__all__ = ["DetectionSummary", "FlowChunk", "detect_file", "read_flow_chunks"]
