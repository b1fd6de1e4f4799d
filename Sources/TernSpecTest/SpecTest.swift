import TernEngine
