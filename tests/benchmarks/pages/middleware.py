"""Each response says what its request cost: X-Bench-Queries (database queries) and
X-Bench-CPU-Ms (the worker's CPU time), read by bench_pages."""

import time

from django.db import connection


class RequestCost:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        cpu = time.process_time()
        with connection.execute_wrapper(counter):
            response = self.get_response(request)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        response["X-Bench-Queries"] = str(count[0])
        response["X-Bench-CPU-Ms"] = f"{(time.process_time() - cpu) * 1000:.2f}"
        return response
