# The FastAPI service (served by uvicorn). No CORS middleware: preflights get 405.
from fastapi import FastAPI

app = FastAPI()


@app.get("/api/profile/{pid}")
def profile(pid: int):
    return {"id": pid, "name": "x"}


@app.patch("/api/profile/{pid}")
def patch_profile(pid: int):
    return {"id": pid}


@app.get("/api/search")
def search(q: str = ""):
    return {"q": q, "results": [1, 2, 3]}
